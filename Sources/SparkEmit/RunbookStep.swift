/// One step of a node's runbook as data: what kind of step it is, its title, its parts (notes,
/// lists and commands, each block on the machine it runs on, checks marked as such) and the files
/// it makes and needs, so that the order the runbooks and the README give can be checked, step by
/// step, on every node, and the README's passes pick steps by kind, never by their titles. Only
/// `RunbookMarkdown` turns it into Markdown.
public struct RunbookStep: Sendable {
    /// What a step does. A runbook's steps come in the order of their kinds, which
    /// `RunbookEmitter.stepOrder` gives with the reason for each place (the tailnet's depends on
    /// the node's LAN). The README's passes are cut by kind: the first ends with the firewall or
    /// the secrets copied from other nodes, the second is every model step.
    public enum Kind: Sendable, Equatable {
        /// Replacing a stack the node ran before (a hand-made one, spark-vllm-docker).
        case migration
        /// Copying the generated files onto the node, from where `spark-gen build` ran.
        case copy
        case prerequisites
        case images
        case hostNames
        /// The secrets made on the node.
        case secrets
        /// The addresses and MTU of the node's direct links and fabrics (netplan).
        case clusterLinks
        case tailnet
        case firewall
        /// The secrets copied from other nodes, run from the operator's machine.
        case secretCopies
        /// A model, a catalog, a vLLM head or a Ray worker.
        case model
        /// The keys other owners' gateways offer this node, copied once they are minted.
        case offeredKeys
        /// The node's gateway, with what it starts before itself (its database and cache).
        case gateway
        case virtualKeys
        /// An app's own step (an installer), before the apps start.
        case app
        /// Starting the compose-run apps.
        case apps
        case verify
        /// The owner takes the node over.
        case handover
        /// Where the stack departs from a hand-made one.
        case differences
    }

    public internal(set) var number: Int
    public let kind: Kind
    public let title: String
    /// The step's content after its heading, in order.
    public internal(set) var parts: [RunbookPart] = []
    /// Files on this node the step makes (absolute paths).
    public internal(set) var creates: [String] = []
    /// Files on this node the step needs to exist already.
    public internal(set) var reads: [String] = []
    /// Files on other nodes the step copies from there, as (node, absolute path).
    public internal(set) var fetches: [(node: String, path: String)] = []

    init(number: Int, kind: Kind, title: String) {
        self.number = number
        self.kind = kind
        self.title = title
    }

    /// The step's blocks of commands, each with the machine it runs on.
    public var commandBlocks: [(machine: RunbookPart.Machine, commands: [RunbookCommand])] {
        parts.compactMap { part in part.machine.map { ($0, part.commands ?? []) } }
    }

    /// The commands that prove the step worked.
    public var checks: [RunbookCommand] { commandBlocks.flatMap(\.commands).filter { $0.role == .check } }

    /// The checks the operator makes by hand from other machines.
    public var probes: [RunbookProbe] {
        parts.flatMap { part -> [RunbookProbe] in
            switch part {
            case .probes(let probes, _), .probeSentence(let probes): return probes
            case .note, .list, .commands: return []
            }
        }
    }

    /// The step's prose: its paragraphs and the items of its lists.
    public var notes: [String] {
        parts.flatMap { part -> [String] in
            switch part {
            case .note(let text): return [text]
            case .list(let items, _): return items
            case .probes, .probeSentence, .commands: return []
            }
        }
    }

    /// Appends the step as the runbook prints it: its numbered heading, then its parts.
    func markdown(into text: inout String) {
        text += "\n## "
        text += String(number)
        text += ". "
        text += title
        text += "\n\n"
        RunbookMarkdown.render(parts, into: &text)
    }
}

/// The bring-up order of the whole stack, as the output's README gives it: passes over the
/// nodes, each running some of a node's steps.
public struct BringUp: Sendable {
    /// One node's share of a pass.
    public struct Turn: Sendable {
        public let node: String
        public let steps: [RunbookStep]

        public init(node: String, steps: [RunbookStep]) {
            self.node = node
            self.steps = steps
        }
    }

    public let passes: [[Turn]]

    public init(passes: [[Turn]]) {
        self.passes = passes
    }
}
