/// A file path on a node, as the topology wrote it: home-relative (`~/x`) or absolute (`/x`).
public struct NodePath: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    /// Accepts only paths made of safe characters with no `..` step, so a path can be written
    /// into a unit file, a compose file or a script without quoting surprises.
    public init?(_ text: String) {
        guard text.hasPrefix("/") || text.hasPrefix("~/") else { return nil }
        // One pass over the bytes: only ASCII passes (an ASCII scalar is alphabetic exactly when
        // it is a letter A-Z or a-z), '~' only first, no '//', and no step that is '.' or '..'.
        // A fleet decodes thousands of paths (secrets are files); the separate searches and the
        // split into steps were 7,000 instructions a path.
        var previous: UInt8 = 0
        var stepLength = 0
        var stepDots = 0
        var first = true
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "@"):
                stepLength += 1
            case UInt8(ascii: "."):
                stepLength += 1
                stepDots += 1
            case UInt8(ascii: "~"):
                guard first else { return nil }
                stepLength += 1
            case UInt8(ascii: "/"):
                guard previous != byte, !Self.isDotStep(stepLength, stepDots) else { return nil }
                stepLength = 0
                stepDots = 0
            default:
                return nil
            }
            previous = byte
            first = false
        }
        guard !Self.isDotStep(stepLength, stepDots) else { return nil }
        self.text = text.utf8.count > 1 && previous == UInt8(ascii: "/") ? String(text.dropLast()) : text
    }

    /// A step of one or two dots, and nothing else: '.' or '..'.
    private static func isDotStep(_ length: Int, _ dots: Int) -> Bool {
        length > 0 && length <= 2 && length == dots
    }

    /// The absolute path on a node whose user's home is `home`.
    public func absolute(home: String) -> String {
        // A home-relative path is "~" or "~/…" (init takes nothing else that starts with '~').
        guard text.utf8.first == UInt8(ascii: "~") else { return text }
        if text.utf8.count == 1 { return home }
        // String(...) first: `String + Substring` is the generic append(contentsOf:), whose
        // first call looks up Sequence witnesses at run time (0.2 M instructions of each lint).
        return home + String(text.dropFirst())
    }

    public var description: String { text }
}
