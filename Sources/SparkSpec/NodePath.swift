/// A file path on a node, as the topology wrote it: home-relative (`~/x`) or absolute (`/x`).
public struct NodePath: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    /// Accepts only paths made of safe characters with no `..` step, so a path can be written
    /// into a unit file, a compose file or a script without quoting surprises.
    public init?(_ text: String) {
        guard text.hasPrefix("/") || text.hasPrefix("~/") else { return nil }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "/._-~+@".unicodeScalars.contains(scalar))
        }
        guard allowed, !text.dropFirst().contains("~") else { return nil }
        let steps = text.split(separator: "/")
        guard !steps.contains(".."), !steps.contains("."), !text.contains("//") else { return nil }
        self.text = text.count > 1 && text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// The absolute path on a node whose user's home is `home`.
    public func absolute(home: String) -> String {
        if text == "~" { return home }
        if text.hasPrefix("~/") { return home + "/" + text.dropFirst(2) }
        return text
    }

    public var description: String { text }
}
