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

    public var entry: Entry {
        guard path.contains("/etc/systemd/system/") else { return Entry(path: path, mode: mode) }
        let lines = contents.split(separator: "\n").filter { $0.hasPrefix("ExecStart=") }.map { String($0.dropFirst("ExecStart=".count)) }
        return Entry(path: path, mode: mode, execStart: lines)
    }
}
