import SparkPlan

/// A node's runbook as it is written: its introduction and its numbered steps, each a
/// `RunbookStep` with its kind, its Markdown and the files it makes, needs and copies from other
/// nodes, so that the order can be checked and the README's passes pick steps by kind. The
/// renderers of RunbookEmitter's steps write into one; `markdown` is the whole runbook.
struct RunbookWriter {
    /// The text before the first step.
    private var introduction: String
    private(set) var steps: [RunbookStep] = []

    init(text: String) {
        introduction = text
    }

    /// The Markdown of the current step (of the introduction before the first), for appending.
    /// Appends go to the stored string in place: a getter and a setter would copy the whole step
    /// for every `+=`, which made a long step cost the square of its length.
    var text: String {
        get { steps.last?.body ?? introduction }
        _modify {
            if steps.isEmpty { yield &introduction } else { yield &steps[steps.count - 1].body }
        }
    }

    /// The whole runbook: the introduction, then every step under its heading.
    var markdown: String {
        var markdown = introduction
        for step in steps {
            markdown += step.heading
            markdown += step.body
        }
        return markdown
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

    /// Files the current step makes.
    mutating func creates(_ paths: [String]) { steps[steps.count - 1].creates += paths }
    /// Files the current step needs.
    mutating func reads(_ paths: [String]) { steps[steps.count - 1].reads += paths }
    /// A file the current step copies from another node.
    mutating func fetches(node: String, path: String) { steps[steps.count - 1].fetches.append((node, path)) }

    /// A line of an app's operations, noting what it needs and makes.
    mutating func run(_ command: AppOperations.Command) {
        reads(command.reads)
        creates(command.creates)
        text += command.line + "\n"
    }
}
