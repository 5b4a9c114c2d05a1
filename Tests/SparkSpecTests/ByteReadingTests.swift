import SparkYAML
import Testing

@testable import SparkSpec

/// Readings that lint does on the bytes of a text (docs/performance.md, "Lint, session 13")
/// give the answers of the Character readings they replaced, which are kept here as the
/// reference: every text of an alphabet of the characters each reading cares about, up to a
/// few characters long, and hand-picked texts that are not ASCII.
@Suite struct ByteReadingTests {
    /// Every text over `alphabet` of `length` characters or fewer, after `prefixes`.
    private static func texts(_ alphabet: [String], upTo length: Int, prefixes: [String] = [""]) -> [String] {
        var all = prefixes
        var layer = prefixes
        for _ in 0..<length {
            layer = layer.flatMap { text in alphabet.map { text + $0 } }
            all += layer
        }
        return all
    }

    private static let unusual = ["~/é", "/a/\u{301}", "/a\u{301}/b", "~/x/.\u{301}", "/ａ", "/a/b\r\n", "~/a~", "/~/a", "~~/a", "~", "", "/"]

    @Test func nodePathsAreJudgedAsBefore() {
        let alphabet = ["a", ".", "/", "~", "-", "@", " ", "é", "\u{301}"]
        let cases = Self.texts(alphabet, upTo: 4, prefixes: ["/", "~/", "~", "a"]) + Self.unusual
        var accepted = 0
        for text in cases {
            let path = NodePath(text)
            let reference = Self.referencePath(text)
            #expect(path?.text == reference, "\(text.debugDescription)")
            if let path {
                accepted += 1
                #expect(path.absolute(home: "/home/u") == Self.referenceAbsolute(path.text, home: "/home/u"), "\(text.debugDescription)")
            }
        }
        // The alphabet reaches both answers: a reading that refused or took everything fails.
        #expect(accepted > 100 && accepted < cases.count / 2)
    }

    @Test func numbersAreReadAsBefore() {
        let alphabet = ["0", "7", "+", "-", ".", "e", "x", "o", "_", " ", "٣", "\u{301}"]
        let cases = Self.texts(alphabet, upTo: 4) + ["123456789012345678", "1234567890123456789", "99999999999999999999", "0x1F", "0o17", "+", "-5"]
        var numbers = 0
        for text in cases {
            #expect(YAMLScalar.int(text) == Self.referenceInt(text), "\(text.debugDescription)")
            let double = YAMLScalar.double(text)
            let reference = Self.referenceDouble(text)
            #expect(double == reference || (double?.isNaN == true && reference?.isNaN == true), "\(text.debugDescription)")
            if YAMLScalar.int(text) != nil { numbers += 1 }
        }
        #expect(numbers > 40)
        #expect(YAMLScalar.int("1234567890123456789") == 1_234_567_890_123_456_789)
        #expect(YAMLScalar.int("99999999999999999999") == nil)
    }

    @Test func grammarsRefuseTextThatIsNotASCII() {
        for text in ["é", "abé", "a\u{301}", "ａ", "qwen3:8b\u{301}", "tool use\u{301}"] {
            for grammar in [Grammar.identifier, .hostname, .word, .ollamaTag, .phrase, .image, .version] {
                #expect(!grammar.matches(text), "\(grammar) \(text.debugDescription)")
            }
        }
        #expect(Grammar.identifier.matches("p0a0"))
        #expect(!Grammar.identifier.matches(""))
    }

    // The readings before session 13, word for word.

    private static func referencePath(_ text: String) -> String? {
        guard text.hasPrefix("/") || text.hasPrefix("~/") else { return nil }
        let allowed = text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
            default: return "/._-~+@".utf8.contains(byte)
            }
        }
        guard allowed, !text.utf8.dropFirst().contains(UInt8(ascii: "~")) else { return nil }
        let steps = text.utf8.split(separator: UInt8(ascii: "/")).map { Substring($0) }
        var previous: UInt8 = 0
        let doubleSlash = text.utf8.contains { byte in
            defer { previous = byte }
            return byte == UInt8(ascii: "/") && previous == byte
        }
        guard !steps.contains(".."), !steps.contains("."), !doubleSlash else { return nil }
        return text.count > 1 && text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    private static func referenceAbsolute(_ text: String, home: String) -> String {
        if text == "~" { return home }
        if text.hasPrefix("~/") { return home + "/" + String(text.dropFirst(2)) }
        return text
    }

    private static func referenceInt(_ text: String) -> Int? {
        var digits = Substring(text)
        if digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        if digits.hasPrefix("0x") { return Int(digits.dropFirst(2), radix: 16) }
        if digits.hasPrefix("0o") { return Int(digits.dropFirst(2), radix: 8) }
        return Int(digits)
    }

    private static func referenceDouble(_ text: String) -> Double? {
        guard let first = text.first, first.isNumber || "+-.".contains(first) else { return nil }
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
        return Double(text)
    }
}
