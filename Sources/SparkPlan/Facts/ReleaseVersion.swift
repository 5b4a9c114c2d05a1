/// A release as its publisher numbers it in tags: dotted numbers (`v0.11.2`, `0.12.6`, NGC's
/// `26.04`) or llama.cpp's build number (`b6700`), compared number by number. Only the facts
/// layer compares versions; rules ask it questions instead.
public struct ReleaseVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let numbers: [Int]
    /// As the tag writes it, without a suffix such as `-rocm` or `-py3`.
    public let text: String

    /// Reads `v0.11.2`, `0.12.6-rocm`, `26.04-py3` or `b6700`; nil for a tag with no number first.
    public init?(_ tag: String) {
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
