import SparkDiagnostics
import SparkPlan
import SparkSpec

/// HY002: every model a LiteLLM lists has a backend that LiteLLM can reach.
struct LiveBackendRule: Rule {
    let description = RuleDescription(
        id: "HY002",
        title: "every model a LiteLLM lists has a reachable backend",
        rationale: """
            LiteLLM fails to start with httpx.ConnectError when any model in its model_list points at a \
            dead api_base (the guide's leftover localhost:8002). A listed model must exist in the \
            topology, and its API must listen where that LiteLLM can reach it.
            """,
        help: "list only models of this topology, and let their API listen on the DAC address when other nodes call it",
        triggering: [
            RuleExample(
                .twoOwners, replacing: "    master_key: {file: ~/.client-litellm.env}\n",
                with: "    master_key: {file: ~/.client-litellm.env}\n    models: [qwen3-4b, ↓qwen3-8b]\n"),
            // The gateway on ubuntu calls the Spark's model, which answers on the Spark alone.
            RuleExample(.gateway, replacing: "    listen: tailnet\n", with: "    listen: ↓loopback\n"),
        ],
        nonTriggering: [
            .clean(.twoOwners),
            RuleExample(
                .twoOwners, replacing: "    master_key: {file: ~/.client-litellm.env}\n",
                with: "    master_key: {file: ~/.client-litellm.env}\n    models: [qwen3-4b]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let names = context.plan.clusters.map(\.name)
        for owner in context.plan.owners {
            for (index, name) in (owner.models ?? []).enumerated() where context.plan.cluster(ofModel: name) == nil {
                let hint = Suggestion.nearest(to: name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                findings.append(
                    RuleFinding(
                        "the LiteLLM of owner '\(owner.name)' lists model '\(name)', which no node serves\(hint)", at: owner.path / "models" / index))
            }
        }
        let plan = context.plan
        for cluster in plan.clusters where cluster.apiHost == PlanResolver.loopback {
            // The LiteLLMs that route the model (its routing target's proxies), in node order.
            let proxies = context.plan.routingTarget(named: cluster.name)?.proxies ?? []
            // Positions read once per caller (a comparison that read `context.plan` copied the
            // whole context twice); the sort is stable, as before.
            let callers = proxies.filter { $0 != cluster.head.name }.map { (position: plan.position(of: $0) ?? 0, name: $0) }
                .sorted { $0.position < $1.position }.map(\.name)
            guard !callers.isEmpty else { continue }
            findings.append(
                RuleFinding(
                    "model '\(cluster.name)' listens on the loopback of '\(cluster.head.name)', but the LiteLLM on \(callers.map { "'\($0)'" }.joined(separator: ", ")) lists it",
                    at: cluster.path / "listen"))
        }
        return findings
    }
}
