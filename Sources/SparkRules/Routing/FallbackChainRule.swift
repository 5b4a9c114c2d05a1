import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL019: a model's fallbacks are models its LiteLLM routes, and no chain comes back to where it
/// started.
struct FallbackChainRule: Rule {
    let description = RuleDescription(
        id: "CL019",
        title: "fallbacks are models the same LiteLLM routes, and never loop",
        rationale: """
            LiteLLM follows fallbacks from one model to the next (a target's own chain too, up to five \\
            hops). A target the LiteLLM does not route is not there to take the request, so the chain \\
            silently ends early; a chain that comes back to a model already tried sends a request that \\
            every backend refuses around the loop until LiteLLM gives up, each hop a full time-out when \\
            the backends are down.
            """,
        help: "name only models the owner's LiteLLM lists (owners.<o>.models, or the owner's own nodes), and make each chain end",
        triggering: [
            RuleExample(base: "one-box", [
                ("    node: framework\n  qwen3-coder-llama:", "    node: framework\n    fallbacks: [qwen3-coder-llama]\n  qwen3-coder-llama:"),
                ("    port: 8081\n", "    port: 8081\n    fallbacks: [↓qwen3-coder]\n"),
            ]),
        ],
        nonTriggering: [
            .unchanged,
            RuleExample(base: "one-box", [
                ("    node: framework\n  qwen3-coder-llama:", "    node: framework\n    fallbacks: [qwen3-coder-llama, kimi-linear]\n  qwen3-coder-llama:"),
            ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let routing = ModelRouting(context.topology)
        var models: [String: Model] = [:]
        for model in context.topology.models where models[model.name] == nil { models[model.name] = model }
        for model in context.topology.models where !model.fallbacks.isEmpty {
            // Each LiteLLM that routes the model must route its targets too.
            let proxies = Set(routing.litellmNodes(routing: model).map(\.name))
            for (index, name) in model.fallbacks.enumerated() {
                guard let target = models[name] else { continue }  // an unknown name is a reference error
                if name == model.name {
                    findings.append(RuleFinding("model '\(model.name)' falls back to itself", at: model.path / "fallbacks" / index))
                    continue
                }
                let missing = proxies.subtracting(routing.litellmNodes(routing: target).map(\.name)).sorted()
                if let proxy = missing.first {
                    findings.append(RuleFinding(
                        "model '\(model.name)' falls back to '\(name)', which the LiteLLM on node '\(proxy)' does not route",
                        at: model.path / "fallbacks" / index))
                }
            }
        }
        // A loop: a path that leaves a model and comes back to it. Each model is reported once,
        // at the first link that closes a loop through it.
        var reported = Set<String>()
        for model in context.topology.models where !model.fallbacks.isEmpty && !reported.contains(model.name) {
            var path = [model.name]
            var visited = Set<String>()
            func walk(_ name: String) -> Bool {
                guard let current = models[name] else { return false }
                for (index, next) in current.fallbacks.enumerated() where next != current.name {
                    if next == model.name {
                        findings.append(RuleFinding(
                            "the fallbacks loop: \((path + [next]).map { "'\($0)'" }.joined(separator: " → "))",
                            at: current.path / "fallbacks" / index))
                        reported.formUnion(path)
                        return true
                    }
                    guard visited.insert(next).inserted else { continue }
                    path.append(next)
                    if walk(next) { return true }
                    path.removeLast()
                }
                return false
            }
            _ = walk(model.name)
        }
        return findings
    }
}
