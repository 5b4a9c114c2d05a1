import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL022: a model's cap on requests in flight is no more than its server runs at once.
struct ConcurrencyCapRule: Rule {
    let description = RuleDescription(
        id: "CL022",
        title: "a concurrency cap never exceeds what the server runs at once",
        rationale: """
            LiteLLM's max_parallel_requests is what sends a request that would wait down the \
            fallbacks (document 003: the fourth caller of a three-slot server spills instead of \
            queueing forever). A cap above the server's own limit (vLLM's max_num_seqs, llama-server's \
            --parallel slots) lets requests through that then queue inside the server, where no \
            fallback ever sees them: the cap should match the slots.
            """,
        help: "lower max_parallel_requests to the server's slots (vllm.max_num_seqs, llama_cpp.parallel), or raise those",
        triggering: [
            RuleExample(base: "one-box", replacing: "      parallel: 2\n", with: "      parallel: 2\n    max_parallel_requests: ↓3\n"),
        ],
        nonTriggering: [
            .unchanged,
            RuleExample(base: "one-box", replacing: "      parallel: 2\n", with: "      parallel: 2\n    max_parallel_requests: 2\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.routingTargets.compactMap { target -> RuleFinding? in
            guard let cap = target.declaredCap, let slots = target.slots, cap > slots.count else { return nil }
            return RuleFinding(
                "\(target.noun) '\(target.name)' lets \(cap) requests in flight, but its server runs \(slots.count) at once (\(slots.key))",
                at: target.path / "max_parallel_requests")
        }
    }
}
