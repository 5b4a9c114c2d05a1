import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL020: a senior model never falls back.
struct SeniorModelRule: Rule {
    let description = RuleDescription(
        id: "CL020",
        title: "a senior model never falls back",
        rationale: """
            A senior model is the one that answers what must not be answered worse: final review, \
            safety decisions (document 003's Spark). When it is down its callers must get an error and \
            page someone, never a quiet answer from a smaller model. spark-gen writes its chain empty, \
            so no catch-all applies to it either; a fallback listed on it would undo that.
            """,
        help: "remove the senior model's fallbacks, or 'senior: true' if a lesser answer is acceptable",
        triggering: [
            RuleExample(.amdBox, replacing: "    port: 8081\n", with: "    port: 8081\n    senior: true\n    fallbacks: [↓qwen3-4b]\n")
        ],
        nonTriggering: [
            .clean(.amdBox),
            RuleExample(.amdBox, replacing: "    port: 8081\n", with: "    port: 8081\n    senior: true\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.routingTargets.compactMap { target -> RuleFinding? in
            guard target.senior, !target.fallbacks.isEmpty else { return nil }
            return RuleFinding(
                "model '\(target.name)' is senior but falls back to \(target.fallbacks.map { "'\($0)'" }.joined(separator: ", "))",
                at: target.path / "fallbacks" / 0)
        }
    }
}
