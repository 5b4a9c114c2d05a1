/// A file path on a node, as the topology wrote it: home-relative (`~/x`) or absolute (`/x`).
public struct NodePath: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    /// Accepts only paths made of safe characters with no `..` step, so a path can be written
    /// into a unit file, a compose file or a script without quoting surprises.
    public init?(_ text: String) {
        guard text.hasPrefix("/") || text.hasPrefix("~/") else { return nil }
        // Byte-wise: only ASCII passes, and an ASCII scalar is alphabetic exactly when it is a
        // letter A-Z or a-z; a fleet decodes thousands of paths (secrets are files).
        let allowed = text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
            default: return "/._-~+@".utf8.contains(byte)
            }
        }
        guard allowed, !text.utf8.dropFirst().contains(UInt8(ascii: "~")) else { return nil }
        // On the bytes (the text is ASCII here): a split by Characters ran grapheme breaking.
        let steps = text.utf8.split(separator: UInt8(ascii: "/")).map { Substring($0) }
        var previous: UInt8 = 0
        let doubleSlash = text.utf8.contains { byte in
            defer { previous = byte }
            return byte == UInt8(ascii: "/") && previous == byte
        }
        guard !steps.contains(".."), !steps.contains("."), !doubleSlash else { return nil }
        self.text = text.count > 1 && text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// The absolute path on a node whose user's home is `home`.
    public func absolute(home: String) -> String {
        if text == "~" { return home }
        // String(...) first: `String + Substring` is the generic append(contentsOf:), whose
        // first call looks up Sequence witnesses at run time (0.2 M instructions of each lint).
        if text.hasPrefix("~/") { return home + "/" + String(text.dropFirst(2)) }
        return text
    }

    public var description: String { text }
}
