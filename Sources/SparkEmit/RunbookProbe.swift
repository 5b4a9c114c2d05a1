/// A check the operator makes by hand from another machine (a device on the tailnet, a machine
/// of another tailnet): the command to run there, if any, and what must happen.
public struct RunbookProbe: Sendable, Equatable {
    /// The command, run on that machine; nil for what the operator only looks at.
    public let command: String?
    /// What must happen ("succeeds (litellm)"), or for a probe without a command, what the
    /// operator sees.
    public let outcome: String

    public init(_ command: String?, _ outcome: String) {
        self.command = command
        self.outcome = outcome
    }
}
