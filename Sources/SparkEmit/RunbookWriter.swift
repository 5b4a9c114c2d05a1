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
    var text: String {
        get { steps.last?.body ?? introduction }
        set {
            if steps.isEmpty { introduction = newValue } else { steps[steps.count - 1].body = newValue }
        }
    }

    /// The whole runbook: the introduction, then every step under its heading.
    var markdown: String { introduction + steps.map(\.markdown).joined() }

    /// Starts the next step; the runbook prints its heading.
    mutating func heading(_ title: String, kind: RunbookStep.Kind) {
        steps.append(RunbookStep(number: steps.count + 1, kind: kind, title: title))
    }

    /// Starts the next step and returns its heading, for a renderer that places it itself.
    mutating func start(_ title: String, kind: RunbookStep.Kind) -> String {
        heading(title, kind: kind)
        steps[steps.count - 1].placesHeading = true
        return steps[steps.count - 1].heading
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
