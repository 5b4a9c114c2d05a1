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
            RuleExample(replacing: "    master_key: {file: ~/.sparky02-litellm-key}\n",
                        with: "    master_key: {file: ~/.sparky02-litellm-key}\n    models: [↓qwen3.6-35b]\n"),
            RuleExample(replacing: "    port: 8000\n", with: "    port: 8000\n    listen: ↓loopback\n"),
        ],
        nonTriggering: [
            .unchanged,
            RuleExample(replacing: "    master_key: {file: ~/.sparky02-litellm-key}\n",
                        with: "    master_key: {file: ~/.sparky02-litellm-key}\n    models: [qwen3.5-122b]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let names = context.plan.clusters.map(\.name)
        for owner in context.plan.owners {
            for (index, name) in (owner.models ?? []).enumerated() where !names.contains(name) {
                let hint = Suggestion.nearest(to: name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                findings.append(RuleFinding(
                    "the LiteLLM of owner '\(owner.name)' lists model '\(name)', which no node serves\(hint)", at: owner.path / "models" / index))
            }
        }
        // The LiteLLM nodes routing each served name, in node order, gathered in one pass.
        var routers: [String: [String]] = [:]
        for node in context.plan.nodes {
            for route in node.litellm?.routes ?? [] { routers[route.servedName, default: []].append(node.name) }
        }
        for cluster in context.plan.clusters where cluster.apiHost == PlanResolver.loopback {
            let callers = (routers[cluster.servedName] ?? []).filter { $0 != cluster.head.name }
            guard !callers.isEmpty else { continue }
            findings.append(RuleFinding(
                "model '\(cluster.name)' listens on the loopback of '\(cluster.head.name)', but the LiteLLM on \(callers.map { "'\($0)'" }.joined(separator: ", ")) lists it",
                at: cluster.path / "listen"))
        }
        return findings
    }
}
