import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL016: every llama.cpp slot has a useful context.
struct LlamaCppSlotsRule: Rule {
    /// Below this a slot cannot hold a system prompt, a tool list and an answer.
    static let minimumSlotContext = 4096

    let description = RuleDescription(
        id: "CL016",
        title: "each llama.cpp slot gets a useful share of the context",
        rationale: """
            llama-server splits --ctx-size between its --parallel slots when the number of slots is \
            given (llama.cpp src/llama-context.cpp: n_ctx_seq = n_ctx / n_seq_max unless the KV cache \
            is unified): ctx_size 16384 with parallel 8 gives each request 2048 tokens, and a longer \
            conversation fails with "the request exceeds the available context size" while the \
            server looks idle. A max_tokens at or above a slot's context leaves no room for the prompt.
            """,
        severity: .warning,
        help: "raise ctx_size (memory allowing) or lower parallel, so that ctx_size / parallel holds the longest request",
        triggering: [
            RuleExample(.amdBox, replacing: "      ctx_size: 65536\n      parallel: 2", with: "      ctx_size: 16384\n      parallel: ↓8"),
            RuleExample(.amdBox, replacing: "      parallel: 2\n", with: "      parallel: 2\n    max_tokens: ↓40000\n"),
        ],
        nonTriggering: [.clean(.amdBox)])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.compactMap { cluster -> RuleFinding? in
            let model = cluster
            guard let options = model.llamaCpp else { return nil }
            let perSlot = options.contextSize / options.parallel
            if perSlot < Self.minimumSlotContext {
                return RuleFinding(
                    "each of the \(options.parallel) slots of model '\(model.name)' gets \(perSlot) tokens of context (ctx_size \(options.contextSize) / parallel \(options.parallel))",
                    at: options.path / "parallel")
            }
            if let maxTokens = model.maxTokens, maxTokens >= perSlot {
                return RuleFinding(
                    "model '\(model.name)' may answer \(maxTokens) tokens, but a slot holds only \(perSlot) tokens, prompt included",
                    at: model.path / "max_tokens")
            }
            return nil
        }
    }
}
