import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL022: the caps of every gateway that routes to a server add up to no more than it runs at once.
struct ConcurrencyCapRule: Rule {
    let description = RuleDescription(
        id: "CL022",
        title: "the concurrency caps of a server's gateways add up to no more than it runs at once",
        rationale: """
            LiteLLM's max_parallel_requests is what sends a request that would wait down the \
            fallbacks (document 003, the routing design spark-gen follows: the fourth caller of a \
            three-slot server spills instead of queueing forever). Each LiteLLM counts only its own \
            requests in flight: two gateways that route to one server (two nodes of an owner, or \
            another owner's gateway the model is shared with), each capped at the server's slots, \
            let twice the slots through, and the surplus queues inside the server (vLLM's \
            max_num_seqs, llama-server's --parallel slots), where no fallback ever sees it. The cap \
            is written once per model and every gateway that routes the model applies it, so the \
            sum is the cap times the gateways: the caps should add up to the slots.
            """,
        help:
            "lower max_parallel_requests so that it times the gateways routing the model is at most the server's slots (vllm.max_num_seqs, llama_cpp.parallel), or raise those",
        triggering: [
            RuleExample(.amdBox, replacing: "      parallel: 2\n", with: "      parallel: 2\n    max_parallel_requests: ↓3\n"),
            // Both owners route the shared model: 32 + 32 in flight against 32 slots.
            RuleExample(
                .twoOwners,
                [
                    ("    master_key: {file: ~/.client-litellm.env}\n", "    master_key: {file: ~/.client-litellm.env}\n    models: [qwen3-4b, ↓qwen3-30b]\n"),
                    ("    node: spark-01\n", "    node: spark-01\n    shared_with: [client]\n    max_parallel_requests: 32\n"),
                    ("max_model_len: 32768}\n  qwen3-4b:", "max_model_len: 32768, max_num_seqs: 32}\n  qwen3-4b:"),
                ]),
        ],
        nonTriggering: [
            .clean(.amdBox),
            RuleExample(.amdBox, replacing: "      parallel: 2\n", with: "      parallel: 2\n    max_parallel_requests: 2\n"),
            RuleExample(
                .twoOwners,
                [
                    ("    master_key: {file: ~/.client-litellm.env}\n", "    master_key: {file: ~/.client-litellm.env}\n    models: [qwen3-4b, qwen3-30b]\n"),
                    ("    node: spark-01\n", "    node: spark-01\n    shared_with: [client]\n    max_parallel_requests: 16\n"),
                    ("max_model_len: 32768}\n  qwen3-4b:", "max_model_len: 32768, max_num_seqs: 32}\n  qwen3-4b:"),
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        // Where each owner lists a model by name, built once: a gateway's route is that entry.
        var listed: [String: [String: Int]] = [:]
        for owner in context.plan.owners {
            for (index, name) in (owner.models ?? []).enumerated() where listed[owner.name]?[name] == nil { listed[owner.name, default: [:]][name] = index }
        }
        var findings: [RuleFinding] = []
        let plan = context.plan
        for target in plan.routingTargets {
            guard let cap = target.cap, let slots = target.slots else { continue }
            // Each gateway's position read once: a comparison that read `context.plan` copied
            // the whole context (every array of the plan retained) twice per comparison.
            let gateways = target.proxies.map { (position: plan.position(of: $0) ?? 0, name: $0) }
                .sorted { ($0.position, $0.name) < ($1.position, $1.name) }.map(\.name)
            if gateways.count <= 1 {
                // One gateway (or none yet): the written cap alone against the slots.
                guard let declared = target.declaredCap, declared > slots.count else { continue }
                findings.append(
                    RuleFinding(
                        "\(target.noun) '\(target.name)' lets \(declared) requests in flight, but its server runs \(slots.count) at once (\(slots.key))",
                        at: target.path / "max_parallel_requests"))
                continue
            }
            let total = cap * gateways.count
            guard total > slots.count else { continue }
            let capText =
                target.declaredCap == nil ? "\(cap) (spark-gen's default for a \(target.noun) with fallbacks: its slots)" : "\(cap) (max_parallel_requests)"
            let share = slots.count / gateways.count
            let help =
                share >= 1
                ? "write max_parallel_requests: \(share) on \(target.noun) '\(target.name)' (\(slots.count) slots over \(gateways.count) gateways), or route it through fewer gateways"
                : "\(gateways.count) gateways cannot share \(slots.count) slots with a cap of at least 1 each: route \(target.noun) '\(target.name)' through at most \(slots.count) gateways, or raise \(slots.key)"
            // One finding per place that makes a gateway route the target; two nodes of an owner
            // that lists it share that entry, and one finding there names both.
            var order: [SpecPath] = []
            var byPlace: [SpecPath: [String]] = [:]
            for gateway in gateways {
                guard let node = context.plan.node(named: gateway) else { continue }
                let place = target.kind == .model ? listed[node.owner.name]?[target.name].map { node.owner.path / "models" / $0 } : nil
                let path = place ?? node.path / "apps" / (node.apps.firstIndex(of: .litellm) ?? 0)
                if byPlace[path] == nil { order.append(path) }
                byPlace[path, default: []].append(gateway)
            }
            for path in order {
                let here = byPlace[path] ?? []
                let others = gateways.filter { !here.contains($0) }
                let subject =
                    here.count == 1 ? "the LiteLLM on '\(here[0])' routes" : "the LiteLLMs on \(here.map { "'\($0)'" }.joined(separator: " and ")) each route"
                let besides = others.isEmpty ? "" : ", and so does the LiteLLM on \(others.map { "'\($0)'" }.joined(separator: ", "))"
                var finding = RuleFinding(
                    "\(subject) \(target.noun) '\(target.name)' capped at \(capText)\(besides): "
                        + "\(total) requests in flight in all, but its server runs \(slots.count) at once (\(slots.key))",
                    at: path, help: help)
                // The cap is written once: one note there, with the first finding.
                if path == order.first {
                    finding.related = (
                        "\(target.noun) '\(target.name)': the cap each of its \(gateways.count) gateways applies on its own (\(gateways.map { "'\($0)'" }.joined(separator: ", ")))",
                        target.declaredCap == nil ? target.path : target.path / "max_parallel_requests"
                    )
                }
                findings.append(finding)
            }
        }
        return findings
    }
}
