import SparkPlan

/// One shell command of a runbook step, as the operator types it: its text (a here-document
/// spans several lines), whether it does the step's work or checks it, and the files on the
/// node it needs and makes, which the step records.
public struct RunbookCommand: Sendable, Equatable {
    /// What the command is to its step.
    public enum Role: Sendable, Equatable {
        /// It does the step's work.
        case run
        /// It proves the step worked (a wait until a service answers, a look at an address); the
        /// step is not done until it succeeds or prints what it should.
        case check
    }

    public let text: String
    public let role: Role
    public let reads: [String]
    public let creates: [String]

    public init(_ text: String, role: Role = .run, reads: [String] = [], creates: [String] = []) {
        self.text = text
        self.role = role
        self.reads = reads
        self.creates = creates
    }

    /// A line of an app's operations (`AppOperations`), with what it needs and makes.
    init(_ command: AppOperations.Command, role: Role = .run) {
        self.init(command.line, role: role, reads: command.reads, creates: command.creates)
    }

    /// A check of the step.
    static func check(_ text: String, reads: [String] = []) -> RunbookCommand {
        RunbookCommand(text, role: .check, reads: reads)
    }
}
