/// One generated file: where it goes in the output tree, its bytes and its mode.
public struct Artifact: Hashable, Sendable {
    /// File modes spark-gen uses: scripts run, files that name secret files or variables stay
    /// private to their owner, everything else is readable.
    public enum Mode: UInt16, Sendable {
        case regular = 0o644
        case executable = 0o755
        case privateFile = 0o600
    }

    /// A relative path inside the output directory, `/`-separated, never with `..`.
    public let path: String
    public let contents: String
    public let mode: Mode
    /// Which topology entries produced which lines; recorded only when asked
    /// (`OriginRecording`), and never part of the bytes written.
    public internal(set) var origins: [OriginBlock] = []

    public init(path: String, contents: String, mode: Mode = .regular) {
        self.path = path
        self.contents = contents
        self.mode = mode
    }
}

extension Artifact {
    /// What the runbooks and the deploy manifest read of a file made before them: where it goes
    /// and its mode, not its bytes.
    public struct Entry: Hashable, Sendable {
        public let path: String
        public let mode: Mode
        /// A systemd unit's (or drop-in's) `ExecStart=` lines, without the key: the deploy
        /// manifest restarts a unit when a file its command names changes. Empty for other files.
        public var execStart: [String] = []
    }

    /// Read on bytes: every file of a fleet passes here, and `String.contains` and splitting
    /// the contents into Substrings were 4% of a build.
    public var entry: Entry {
        guard Self.contains(path.utf8, Self.unitDirectory) else { return Entry(path: path, mode: mode) }
        var lines: [String] = []
        for line in contents.utf8.split(separator: UInt8(ascii: "\n")) where line.starts(with: Self.execStartKey) {
            lines.append(String(decoding: line.dropFirst(Self.execStartKey.count), as: UTF8.self))
        }
        return Entry(path: path, mode: mode, execStart: lines)
    }

    private static let unitDirectory = Array("/etc/systemd/system/".utf8)
    private static let execStartKey = Array("ExecStart=".utf8)

    /// Whether `needle` occurs in `bytes`.
    private static func contains(_ bytes: String.UTF8View, _ needle: [UInt8]) -> Bool {
        let haystack = Array(bytes)
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
