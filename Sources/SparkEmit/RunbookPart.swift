/// One part of a runbook step's content, in the order the step gives them: prose, a list, or
/// commands run on one machine. Contributors (the emitter's step writers, the kinds' operations,
/// the runtimes' and planners' steps) build parts; only `RunbookMarkdown` knows how they print.
public enum RunbookPart: Sendable, Equatable {
    /// Where a block of commands runs.
    public enum Machine: Sendable, Equatable {
        /// The node the runbook is for, as its user (`sudo` where root is needed).
        case node
        /// The operator's machine, where `spark-gen build` ran, in the output directory: it
        /// reaches every node over ssh.
        case buildMachine
    }

    /// The shell a block of commands is typed into, which its fence names.
    public enum Shell: String, Sendable, Equatable {
        /// A POSIX shell (bash on the nodes).
        case sh
        /// Windows PowerShell, on a tailnet host that serves a backend from Windows.
        case powershell
    }

    /// A paragraph of prose (code spans and emphasis inline).
    case note(String)
    /// Bullets; `continuing` when they follow the part before without a break (the verify step's
    /// checks from another tailnet, after the checks from a LAN's hosts).
    case list([String], continuing: Bool = false)
    /// Checks made by hand from other machines, as bullets; `continuing` as for a list.
    case probes([RunbookProbe], continuing: Bool = false)
    /// Checks made by hand, each from its own machine, as one sentence (a host on a LAN gets an
    /// answer, any other machine of the LAN does not).
    case probeSentence([RunbookProbe])
    /// Commands the operator runs one after another on `machine`, typed into `shell`.
    case commands([RunbookCommand], on: Machine = .node, shell: Shell = .sh)

    /// The commands of the part, if it is a block of them.
    public var commands: [RunbookCommand]? {
        if case .commands(let commands, _, _) = self { return commands }
        return nil
    }

    /// The machine a block of commands runs on; nil for prose.
    public var machine: Machine? {
        if case .commands(_, let machine, _) = self { return machine }
        return nil
    }
}
