import SparkPlan

/// A node's runbook as it is written: the Markdown so far and its numbered steps, each with the
/// files it makes, needs and copies from other nodes (RunbookStep), so that the order can be
/// checked. The renderers of RunbookEmitter's steps write into one.
struct RunbookWriter {
    var text: String
    private(set) var steps: [RunbookStep] = []

    init(text: String) {
        self.text = text
    }

    /// Starts the next step and writes its heading.
    mutating func heading(_ title: String) {
        text += start(title)
    }

    /// Starts the next step and returns its heading, for a renderer that places it itself.
    mutating func start(_ title: String) -> String {
        steps.append(RunbookStep(number: steps.count + 1, title: title))
        return "\n## \(steps.count). \(title)\n\n"
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
