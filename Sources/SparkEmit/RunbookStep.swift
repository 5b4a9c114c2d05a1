/// One step of a node's runbook as data: its title and the files it makes and needs, so that
/// the order the runbooks and the README give can be checked, step by step, on every node.
public struct RunbookStep: Sendable {
    public let number: Int
    public let title: String
    /// Files on this node the step makes (absolute paths).
    public internal(set) var creates: [String] = []
    /// Files on this node the step needs to exist already.
    public internal(set) var reads: [String] = []
    /// Files on other nodes the step copies from there, as (node, absolute path).
    public internal(set) var fetches: [(node: String, path: String)] = []

    init(number: Int, title: String) {
        self.number = number
        self.title = title
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
