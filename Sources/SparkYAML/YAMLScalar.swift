import SparkDiagnostics

/// How spark-gen reads and writes the text of plain scalars.
///
/// The topology follows the YAML 1.2 core schema for plain scalars, but `write` also treats
/// YAML 1.1 words (`yes`, `on`, `0755`, `1:20`) as typed, because the programs that read our
/// artifacts (PyYAML in LiteLLM, docker-compose) still use 1.1 rules.
public enum YAMLScalar {
    public static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    public static func int(_ text: String) -> Int? {
        // Plain decimal digits (every port, size and count a fleet writes): read the bytes.
        // Up to 18 digits cannot overflow; anything else takes the general reading below.
        if text.utf8.count <= 18 {
            var value = 0
            var plain = !text.isEmpty
            for byte in text.utf8 {
                guard byte >= 0x30, byte <= 0x39 else {
                    plain = false
                    break
                }
                value = value * 10 + Int(byte - 0x30)
            }
            if plain { return value }
        }
        var digits = Substring(text)
        if digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        if digits.hasPrefix("0x") { return Int(digits.dropFirst(2), radix: 16) }
        if digits.hasPrefix("0o") { return Int(digits.dropFirst(2), radix: 8) }
        return Int(digits)
    }

    public static func double(_ text: String) -> Double? {
        // On the bytes: every accepted Character is one ASCII byte (a digit or one of
        // "+-.eE"), and a text with any other byte is refused, as the Character test did.
        guard let first = text.utf8.first, isDigit(first) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: ".")
        else { return nil }
        guard text.utf8.allSatisfy({ isDigit($0) || isNumberSign($0) }) else { return nil }
        return Double(text)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    /// One of "+-.eE".
    private static func isNumberSign(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    private static let typedWords: Set<String> = [
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n",
        ".inf", "-.inf", "+.inf", ".nan", "<<", "=",
    ]

    /// True when a plain scalar with this text would be read back as something other than a string
    /// by a YAML 1.1 or 1.2 reader, so the emitter must quote it.
    public static func needsQuoting(_ text: String) -> Bool {
        if text.isEmpty { return true }
        // A scalar that starts with an ASCII letter (not n, t, f, y, o: null, true, yes, on...)
        // or `/` is a plain string whatever follows; most of a build's scalars (names, paths,
        // images) are, and the Character checks below cost a tenth of the emitter's time.
        if let byte = text.utf8.first, Self.plainStart(byte) { return false }
        // Only a short scalar can lower-case to a typed word (at most 5 bytes; the one
        // non-ASCII capital that lower-cases to ASCII, the Kelvin sign, is 3 bytes for 1):
        // a build asks this of every scalar it writes, and lower-casing each long one and
        // building the set per call were a tenth of a large build.
        if text.utf8.count <= 16, Self.typedWords.contains(text.lowercased()) { return true }
        // Number-like: an ASCII digit, sign or dot first, then only hex digits and "xXoO_.:+-"
        // (8000, 0.0.0.0, 1:20). On the bytes: a Character test per byte was most of this
        // function's time, and a byte outside ASCII makes the scalar no number either way.
        guard let first = text.utf8.first, Self.numberStart(first) else { return false }
        return text.utf8.allSatisfy(Self.numberish)
    }

    private static func plainStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "/"): return true
        // The first letters of the typed words, either case (Null, TRUE, Yes, On, N, ...).
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
            UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            return false
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return true
        default: return false
        }
    }

    private static func numberStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."): return true
        default: return false
        }
    }

    private static func numberish(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"),
            UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: ":"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            return true
        default: return false
        }
    }

    /// A short, printable form of a value for messages: a huge scalar never floods the terminal,
    /// and control characters (an escape sequence in a quoted string, say) are shown escaped,
    /// never sent to the terminal.
    public static func abbreviated(_ text: String, limit: Int = 60) -> String {
        var printable = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": printable += "\\n"
            case "\t": printable += "\\t"
            case "\r": printable += "\\r"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x2028...0x2029).contains(scalar.value) {
                    printable += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    printable.unicodeScalars.append(scalar)
                }
            }
        }
        if printable.count <= limit { return printable }
        return String(printable.prefix(limit)) + "…"
    }
}
