import SparkDiagnostics
import SparkPlan
import SparkSpec

/// One check of the catalog. A rule reads the topology and the plan and reports findings at
/// spec paths; it knows nothing of YAML positions or output formats.
public protocol Rule: Sendable {
    var description: RuleDescription { get }
    func check(_ context: RuleContext) -> [RuleFinding]
}

/// What a rule sees: the topology as written and the plan derived from it.
public struct RuleContext: Sendable {
    public let topology: Topology
    public let plan: Plan

    public init(topology: Topology, plan: Plan) {
        self.topology = topology
        self.plan = plan
    }
}

/// A rule's finding before the catalog adds its id, severity and position.
public struct RuleFinding: Sendable {
    public let message: String
    public let path: SpecPath
    /// A fix specific to this finding; the rule's general hint is used otherwise.
    public let help: String?

    public init(_ message: String, at path: SpecPath, help: String? = nil) {
        self.message = message
        self.path = path
        self.help = help
    }
}
