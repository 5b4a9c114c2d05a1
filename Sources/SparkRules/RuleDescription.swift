import SparkDiagnostics

/// Everything a user (and `spark-gen explain`) needs to know about a rule. The examples are
/// the rule's tests: one test runs every rule's examples, so a rule cannot land without them.
public struct RuleDescription: Sendable {
    /// The stable id users write in `accept_risks`; never derived from a type name.
    public let id: String
    public let title: String
    /// Which failure the rule prevents, in the project's words.
    public let rationale: String
    public let severity: Severity
    /// The general way to fix a finding.
    public let help: String
    /// Topologies that must produce a finding where their `↓` marker points.
    public let triggering: [RuleExample]
    /// Topologies that must produce no finding of this rule.
    public let nonTriggering: [RuleExample]

    public init(
        id: String, title: String, rationale: String, severity: Severity = .error, help: String,
        triggering: [RuleExample], nonTriggering: [RuleExample] = [.unchanged]
    ) {
        self.id = id
        self.title = title
        self.rationale = rationale
        self.severity = severity
        self.help = help
        self.triggering = triggering
        self.nonTriggering = nonTriggering
    }
}

/// A topology given as edits to an example (by default `examples/split-trust`).
///
/// In a replacement, `↓` marks the exact spot the finding must point at; it is removed
/// before the topology is compiled.
public struct RuleExample: Sendable {
    public static let marker: Character = "↓"

    public let base: String
    public let edits: [Edit]

    /// One textual replacement in the base topology.
    public struct Edit: Sendable {
        public let old: String
        public let new: String
    }

    public init(base: String = "split-trust", _ edits: [(String, String)]) {
        self.base = base
        self.edits = edits.map { Edit(old: $0.0, new: $0.1) }
    }

    public init(base: String = "split-trust", replacing old: String, with new: String) {
        self.init(base: base, [(old, new)])
    }

    /// The base example exactly as committed.
    public static let unchanged = RuleExample([])
}
