import Foundation
import SparkGenKit
import SparkRules
import SparkTestSupport
import Testing

@testable import SparkPlan

/// Lint resolves the plan for the rules only (`PlanResolver.Parts.rules`, issue 26 item 3): no
/// runbook steps, verify.sh checks, config file contents or /etc/hosts lines. The findings
/// must be those of the whole plan, on every example and every rule's own examples; a rule
/// that read one of the parts left out would stop the run (NodePlan's precondition) here.
@Suite struct RulesOnlyPlanTests {
    static func compile(_ text: String, _ stage: Compilation.Stage) -> Compilation {
        Compilation.run(bytes: Array(text.utf8), file: "topology.yaml", through: stage)
    }

    /// Findings with their positions, in the order lint prints them.
    static func findings(_ compilation: Compilation) -> [String] {
        compilation.diagnostics.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.oneLine)" }
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func examplesFindTheSameWithTheRulesOnlyPlan(_ name: String) throws {
        let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml", encoding: .utf8)
        let whole = Self.compile(text, .plan)
        let lint = Self.compile(text, .rules)
        #expect(Self.findings(lint) == Self.findings(whole))
        let plan = try #require(lint.plan)
        let full = try #require(whole.plan)
        // The parts only emitters read are left out of the rules' plan, and only of it.
        #expect(plan.nodes.allSatisfy { !$0.hasEmitterParts })
        #expect(full.nodes.allSatisfy { $0.hasEmitterParts })
        // What the rules read is there: the same listeners, workloads and secret files.
        #expect(plan.nodes.map { $0.services.map(\.port) } == full.nodes.map { $0.services.map(\.port) })
        #expect(plan.nodes.map { $0.workloads.map(\.image) } == full.nodes.map { $0.workloads.map(\.image) })
        #expect(plan.nodes.map { $0.secretFiles.map(\.path) } == full.nodes.map { $0.secretFiles.map(\.path) })
    }

    @Test(arguments: RuleCatalog.rules.map(\.description.id))
    func ruleExamplesFindTheSameWithTheRulesOnlyPlan(_ id: String) throws {
        let rule = try #require(RuleCatalog.rule(id: id))
        for example in rule.description.triggering + rule.description.nonTriggering {
            let (text, _) = try Fixtures.materialize(example)
            #expect(Self.findings(Self.compile(text, .rules)) == Self.findings(Self.compile(text, .plan)), "\(id)")
        }
    }
}
