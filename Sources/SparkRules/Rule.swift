import SparkDiagnostics
import SparkPlan
import SparkSpec

/// One check of the catalog. A rule reads the plan and reports findings at the spec paths its
/// elements carry; it knows nothing of YAML positions or output formats.
public protocol Rule: Sendable {
    var description: RuleDescription { get }
    func check(_ context: RuleContext) -> [RuleFinding]
}

/// What a rule sees: the plan, whose elements say where the topology wrote them. Rules read
/// no spec record, so a listener or secret a new kind adds is checked with no rule edits.
public struct RuleContext: Sendable {
    public let plan: Plan

    public init(plan: Plan) {
        self.plan = plan
    }
}

/// A rule's finding before the catalog adds its id, severity and position.
public struct RuleFinding: Sendable {
    public let message: String
    public let path: SpecPath
    /// A fix specific to this finding; the rule's general hint is used otherwise.
    public let help: String?
    /// A second place the finding concerns (the first of two claims), shown as a note there.
    public var related: (message: String, path: SpecPath)?

    public init(_ message: String, at path: SpecPath, help: String? = nil) {
        self.message = message
        self.path = path
        self.help = help
    }
}
