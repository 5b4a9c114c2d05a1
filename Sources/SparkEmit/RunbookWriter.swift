import SparkPlan

/// A node's runbook as it is written: its introduction and its numbered steps, each a
/// `RunbookStep` with its kind, its parts (notes, lists, commands) and the files it makes, needs
/// and copies from other nodes, so that the order can be checked and the README's passes pick
/// steps by kind. The writers of RunbookEmitter's steps add parts to the current step;
/// `markdown` is the whole runbook, which `RunbookMarkdown` prints.
struct RunbookWriter {
    /// The text before the first step: the runbook's title and who runs what where, which the
    /// emitter writes once the steps are known.
    var introduction = ""
    private(set) var steps: [RunbookStep] = []

    /// The whole runbook: the introduction, then every step under its heading.
    var markdown: String {
        var text = introduction
        for step in steps { step.markdown(into: &text) }
        return text
    }

    /// Starts the next step; the runbook prints its heading.
    mutating func heading(_ title: String, kind: RunbookStep.Kind) {
        steps.append(RunbookStep(number: steps.count + 1, kind: kind, title: title))
    }

    /// Puts the steps in the order of their kinds, keeping the order they were written in
    /// within a kind, and numbers them again. A kind missing from `kinds` is a programming error.
    mutating func order(by kinds: [RunbookStep.Kind]) {
        let rank = { (step: RunbookStep) in kinds.firstIndex(of: step.kind) ?? kinds.count }
        precondition(steps.allSatisfy { kinds.contains($0.kind) }, "a runbook step of a kind with no place in the order")
        steps = steps.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
        for index in steps.indices { steps[index].number = index + 1 }
    }

    /// Adds parts to the current step, recording the files its commands need and make.
    mutating func add(_ parts: [RunbookPart]) {
        for part in parts {
            for command in part.commands ?? [] {
                reads(command.reads)
                creates(command.creates)
            }
            steps[steps.count - 1].parts.append(part)
        }
    }

    /// A paragraph of the current step.
    mutating func note(_ text: String) { add([.note(text)]) }
    /// Bullets of the current step.
    mutating func list(_ items: [String], continuing: Bool = false) { add([.list(items, continuing: continuing)]) }
    /// Checks of the current step made by hand from other machines.
    mutating func probes(_ probes: [RunbookProbe], continuing: Bool = false) { add([.probes(probes, continuing: continuing)]) }
    /// Checks of the current step made by hand, each from its own machine, in one sentence.
    mutating func probeSentence(_ probes: [RunbookProbe]) { add([.probeSentence(probes)]) }
    /// A block of commands of the current step, run on `machine`, typed into `shell`.
    mutating func commands(_ commands: [RunbookCommand], on machine: RunbookPart.Machine = .node, shell: RunbookPart.Shell = .sh) {
        add([.commands(commands, on: machine, shell: shell)])
    }

    /// Files the current step makes.
    mutating func creates(_ paths: [String]) { steps[steps.count - 1].creates += paths }
    /// Files the current step needs.
    mutating func reads(_ paths: [String]) { steps[steps.count - 1].reads += paths }
    /// A file the current step copies from another node.
    mutating func fetches(node: String, path: String) { steps[steps.count - 1].fetches.append((node, path)) }
}
