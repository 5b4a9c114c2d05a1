/// A release as its publisher numbers it in tags: dotted numbers (`v0.11.2`, `0.12.6`, NGC's
/// `26.04`) or llama.cpp's build number (`b6700`), compared number by number. Only the facts
/// layer compares versions; rules ask it questions instead.
public struct ReleaseVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let numbers: [Int]
    /// As the tag writes it, without a suffix such as `-rocm` or `-py3`.
    public let text: String

    /// Reads `v0.11.2`, `0.12.6-rocm`, `26.04-py3` or `b6700`; nil for a tag with no number first.
    public init?(_ tag: String) {
        // ASCII (every tag): read the bytes. The rules read each model's image version, and
        // the vLLM flag tables' versions, per model; Characters cost a grapheme walk each.
        if tag.utf8.allSatisfy({ $0 < 0x80 }) {
            guard let (numbers, text) = Self.readBytes(tag) else { return nil }
            self.numbers = numbers
            self.text = text
            return
        }
        var rest = Substring(tag)
        var prefix = ""
        if let first = rest.first, first == "v" || first == "b" {
            prefix = String(first)
            rest = rest.dropFirst()
        }
        let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let numbers = digits.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard !digits.isEmpty, !numbers.contains(nil) else { return nil }
        self.numbers = numbers.compactMap { $0 }
        self.text = prefix + digits
    }

    /// The ASCII reading of `init?`: an optional 'v' or 'b', then digits and dots, each dot
    /// between numbers (an empty number, as in `1..2` or `1.`, is no version).
    private static func readBytes(_ tag: String) -> ([Int], String)? {
        let bytes = Array(tag.utf8)
        var start = 0
        if let first = bytes.first, first == UInt8(ascii: "v") || first == UInt8(ascii: "b") { start = 1 }
        var end = start
        while end < bytes.count, bytes[end] == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
        guard end > start else { return nil }
        var numbers: [Int] = [], current: Int? = nil
        for byte in bytes[start..<end] {
            if byte == UInt8(ascii: ".") {
                guard let number = current else { return nil }
                numbers.append(number)
                current = nil
            } else {
                let (product, overflow) = (current ?? 0).multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                guard !overflow, !overflow2 else { return nil }
                current = sum
            }
        }
        guard let last = current else { return nil }
        numbers.append(last)
        return (numbers, String(decoding: bytes[0..<end], as: UTF8.self))
    }

    public var description: String { text }

    public static func < (lhs: ReleaseVersion, rhs: ReleaseVersion) -> Bool {
        for index in 0..<max(lhs.numbers.count, rhs.numbers.count) {
            let left = index < lhs.numbers.count ? lhs.numbers[index] : 0
            let right = index < rhs.numbers.count ? rhs.numbers[index] : 0
            if left != right { return left < right }
        }
        return false
    }

    public static func == (lhs: ReleaseVersion, rhs: ReleaseVersion) -> Bool { !(lhs < rhs) && !(rhs < lhs) }
    public func hash(into hasher: inout Hasher) {
        var trimmed = numbers
        while trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
    }
}
