import SparkDiagnostics

/// Everything a user (and `spark-gen explain`) needs to know about a rule. The examples are
/// the rule's tests: one test runs every rule's examples, so a rule cannot land without them.
public struct RuleDescription: Sendable {
    /// The stable id users write in `accept_risks`; never derived from a type name.
    public let id: String
    public let title: String
    /// Which failure the rule prevents, in the project's words.
    public var rationale: String { makeRationale() }
    public let severity: Severity
    /// The general way to fix a finding.
    public let help: String
    /// Topologies that must produce a finding where their `↓` marker points.
    public var triggering: [RuleExample] { makeTriggering() }
    /// Topologies that must produce no finding of this rule; by default the fixture the first
    /// triggering example starts from, as it is.
    public var nonTriggering: [RuleExample] {
        makeNonTriggering() ?? triggering.prefix(1).map { .clean($0.fixture) }
    }

    // The rationale and the examples are made when `explain`, `rules` or a test reads them:
    // lint reads a rule's id, severity and help only, and making every rule's examples (and
    // the rationales built from tables) on every run was start-up work (docs/performance.md).
    private let makeRationale: @Sendable () -> String
    private let makeTriggering: @Sendable () -> [RuleExample]
    private let makeNonTriggering: @Sendable () -> [RuleExample]?

    public init(
        id: String, title: String, rationale: @autoclosure @escaping @Sendable () -> String, severity: Severity = .error,
        help: String, triggering: @autoclosure @escaping @Sendable () -> [RuleExample],
        nonTriggering: @autoclosure @escaping @Sendable () -> [RuleExample]? = nil
    ) {
        self.id = id
        self.title = title
        self.makeRationale = rationale
        self.severity = severity
        self.help = help
        self.makeTriggering = triggering
        self.makeNonTriggering = nonTriggering
    }
}

/// A topology given as edits to a small fixture the rule catalog owns (`RuleExampleFixture`),
/// never to the committed `examples/*`: it reads as "the minimal lab, plus this", and a change
/// to an example cannot break it.
///
/// Each edit's `old` text must occur exactly once in the fixture. In a replacement, `↓` marks
/// the exact spot the finding must point at; it is removed before the topology is compiled.
public struct RuleExample: Sendable {
    public static let marker: Character = "↓"

    public let fixture: RuleExampleFixture
    public let edits: [Edit]

    /// One textual replacement in the fixture.
    public struct Edit: Sendable {
        public let old: String
        public let new: String
    }

    public init(_ fixture: RuleExampleFixture, _ edits: [(String, String)]) {
        self.fixture = fixture
        self.edits = edits.map { Edit(old: $0.0, new: $0.1) }
    }

    public init(_ fixture: RuleExampleFixture, replacing old: String, with new: String) {
        self.init(fixture, [(old, new)])
    }

    /// The fixture exactly as written: it lints clean, so it triggers no rule.
    public static func clean(_ fixture: RuleExampleFixture) -> RuleExample {
        RuleExample(fixture, [])
    }
}
