/// A file an app reads that spark-gen writes into the node's stack directory: a server block,
/// an app's own configuration. A kind returns these beside its workloads and mounts them by
/// their absolute path (`AppContext.stackDir` + `path`); the runbook's copy step and the deploy
/// manifest carry them like every other file of the stack. Never a secret: values are read on
/// the node from secret files, by reference.
public struct ConfigFile: Hashable, Sendable {
    /// Who may read and run the file once on the node.
    public enum Mode: Hashable, Sendable {
        /// 0644: read by the container's own user, whichever it is.
        case regular
        /// 0600: readable by the stack's user alone.
        case privateFile
        /// 0755: a script the container runs.
        case executable
    }

    /// Relative to the stack directory, as `langfuse/clickhouse.xml`.
    public let path: String
    public let contents: String
    public let mode: Mode

    public init(path: String, contents: String, mode: Mode = .regular) {
        self.path = path
        self.contents = contents
        self.mode = mode
    }
}
