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
    /// Topologies that must produce no finding of this rule; by default the clean fixture the
    /// first triggering example starts from.
    public let nonTriggering: [RuleExample]

    public init(
        id: String, title: String, rationale: String, severity: Severity = .error, help: String,
        triggering: [RuleExample], nonTriggering: [RuleExample]? = nil
    ) {
        self.id = id
        self.title = title
        self.rationale = rationale
        self.severity = severity
        self.help = help
        self.triggering = triggering
        self.nonTriggering = nonTriggering ?? [triggering.first?.fixture.map(RuleExample.clean) ?? .unchanged]
    }
}

/// A topology given as edits to a base: a small fixture of its own (`RuleExampleFixture`), or,
/// in the older form that remains for some rules, one of the committed `examples/*`.
///
/// A fixture-based example reads as "the minimal lab, plus this": a change to `examples/*`
/// cannot break it, and it shows only what the rule is about. Each edit's `old` text must occur
/// exactly once in the fixture. In a replacement, `↓` marks the exact spot the finding must
/// point at; it is removed before the topology is compiled.
public struct RuleExample: Sendable {
    public static let marker: Character = "↓"

    /// What the edits apply to.
    public enum Base: Sendable {
        /// A fixture owned by the rule catalog.
        case fixture(RuleExampleFixture)
        /// `examples/<name>/topology.yaml` as committed (the old form, read from the repository).
        case example(String)
    }

    public let source: Base
    public let edits: [Edit]

    /// One textual replacement in the base topology.
    public struct Edit: Sendable {
        public let old: String
        public let new: String
    }

    public init(_ fixture: RuleExampleFixture, _ edits: [(String, String)]) {
        source = .fixture(fixture)
        self.edits = edits.map { Edit(old: $0.0, new: $0.1) }
    }

    public init(_ fixture: RuleExampleFixture, replacing old: String, with new: String) {
        self.init(fixture, [(old, new)])
    }

    /// The fixture exactly as written: it lints clean, so it triggers no rule.
    public static func clean(_ fixture: RuleExampleFixture) -> RuleExample {
        RuleExample(fixture, [])
    }

    public init(base: String = "split-trust", _ edits: [(String, String)]) {
        source = .example(base)
        self.edits = edits.map { Edit(old: $0.0, new: $0.1) }
    }

    public init(base: String = "split-trust", replacing old: String, with new: String) {
        self.init(base: base, [(old, new)])
    }

    /// The base example exactly as committed.
    public static let unchanged = RuleExample([])

    /// The fixture this example edits, if it is not of the old form.
    public var fixture: RuleExampleFixture? {
        if case .fixture(let fixture) = source { return fixture }
        return nil
    }
}
