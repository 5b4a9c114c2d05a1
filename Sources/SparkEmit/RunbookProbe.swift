/// A check the operator makes by hand from another machine (a device on the tailnet, a host on a
/// LAN, a machine of another tailnet): where from, the command to run there, if any, and what
/// must happen.
public struct RunbookProbe: Sendable, Equatable {
    /// The machine it is made from ("host panel"), when the part does not say it once for all.
    public let from: String?
    /// The command, run on that machine; nil for what the operator only looks at.
    public let command: String?
    /// What must happen ("succeeds (litellm)"), or for a probe without a command, what the
    /// operator sees.
    public let outcome: String

    public init(from: String? = nil, _ command: String?, _ outcome: String) {
        self.from = from
        self.command = command
        self.outcome = outcome
    }
}
