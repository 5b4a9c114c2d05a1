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
            LiteLLM follows fallbacks from one model to the next (a target's own chain too, up to five \
            hops). A target the LiteLLM does not route is not there to take the request, so the chain \
            silently ends early; a chain that comes back to a model already tried sends a request that \
            every backend refuses around the loop until LiteLLM gives up, each hop a full time-out when \
            the backends are down.
            """,
        help: "name only models the owner's LiteLLM lists (owners.<o>.models, or the owner's own nodes), and make each chain end",
        triggering: [
            RuleExample(
                .amdBox,
                [
                    ("    node: framework\n  qwen3-coder-gguf:", "    node: framework\n    fallbacks: [qwen3-coder-gguf]\n  qwen3-coder-gguf:"),
                    ("    port: 8081\n", "    port: 8081\n    fallbacks: [↓qwen3-coder]\n"),
                ])
        ],
        nonTriggering: [
            .clean(.amdBox),
            RuleExample(
                .amdBox, replacing: "    node: framework\n  qwen3-coder-gguf:",
                with: "    node: framework\n    fallbacks: [qwen3-coder-gguf, qwen3-4b]\n  qwen3-coder-gguf:"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let plan = context.plan
        for target in plan.routingTargets where !target.fallbacks.isEmpty {
            let name = target.name
            // Each LiteLLM that routes it must route its targets too.
            for (index, next) in target.fallbacks.enumerated() {
                guard let other = plan.routingTarget(named: next) else { continue }  // an unknown name is a reference error
                if next == name {
                    findings.append(RuleFinding("model '\(name)' falls back to itself", at: target.path / "fallbacks" / index))
                    continue
                }
                if let proxy = target.proxies.subtracting(other.proxies).sorted().first {
                    findings.append(
                        RuleFinding(
                            "model '\(name)' falls back to '\(next)', which the LiteLLM on node '\(proxy)' does not route",
                            at: target.path / "fallbacks" / index))
                }
            }
        }
        // A loop: a path that leaves a model and comes back to it. Each model is reported once,
        // at the first link that closes a loop through it.
        // Only a model on a cycle can start one: the walk from every other model ends without
        // coming back, and walking each model's whole chain cost the square of a long chain
        // (bench/growth.sh, shape chains). A walk leaving the model's cycles never comes back
        // either, so the search for the first loop and its report are as before.
        let cyclic = Self.onCycles(plan)
        var reported = Set<String>()
        for start in plan.routingTargets.map(\.name) where cyclic.contains(start) && !reported.contains(start) {
            var path = [start]
            var visited = Set<String>()
            func walk(_ name: String) -> Bool {
                guard let current = plan.routingTarget(named: name) else { return false }
                for (index, next) in current.fallbacks.enumerated() where next != current.name {
                    if next == start {
                        findings.append(
                            RuleFinding(
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
            _ = walk(start)
        }
        return findings
    }

    /// The models and backends on a fallback cycle (a strongly connected group of two or more,
    /// Tarjan's algorithm; a model naming itself is reported above, not here).
    static func onCycles(_ plan: Plan) -> Set<String> {
        var order: [String: Int] = [:]
        var low: [String: Int] = [:]
        var stack: [String] = []
        var onStack = Set<String>()
        var cyclic = Set<String>()
        func visit(_ name: String) {
            order[name] = order.count
            low[name] = order[name]
            stack.append(name)
            onStack.insert(name)
            for next in plan.routingTarget(named: name)?.fallbacks ?? [] where next != name && plan.routingTarget(named: next) != nil {
                if order[next] == nil {
                    visit(next)
                    low[name] = min(low[name]!, low[next]!)
                } else if onStack.contains(next) {
                    low[name] = min(low[name]!, order[next]!)
                }
            }
            guard low[name] == order[name] else { return }
            var group: [String] = []
            while let top = stack.popLast() {
                onStack.remove(top)
                group.append(top)
                if top == name { break }
            }
            if group.count > 1 { cyclic.formUnion(group) }
        }
        for target in plan.routingTargets where order[target.name] == nil { visit(target.name) }
        return cyclic
    }
}
