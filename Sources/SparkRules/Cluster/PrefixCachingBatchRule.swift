import SparkDiagnostics
import SparkSpec

/// CL007: with prefix caching, the batch token budget holds at least one cache block.
struct PrefixCachingBatchRule: Rule {
    static let minimumTokens = 4096

    let description = RuleDescription(
        id: "CL007",
        title: "prefix caching needs max_num_batched_tokens of at least 4096",
        rationale: """
            With --enable-prefix-caching, hybrid models such as the Qwen3.5 family use a block size of \
            2096 tokens, and vLLM refuses to start when max_num_batched_tokens is smaller \
            ('block_size (2096) must be <= max_num_batched_tokens (2048)'); 2048 is the default. \
            4096 is the smallest power of two with room to spare.
            """,
        help: "set vllm.max_num_batched_tokens to 4096 or more; for a model with small blocks, accept the risk with a reason",
        triggering: [
            RuleExample(
                .oneSpark, replacing: "      max_model_len: 32768\n",
                with: "      max_model_len: 32768\n      enable_prefix_caching: true\n      max_num_batched_tokens: ↓2048\n"),
            RuleExample(.oneSpark, replacing: "      max_model_len: 32768\n", with: "      max_model_len: 32768\n      enable_prefix_caching: ↓true\n"),
        ],
        nonTriggering: [
            .clean(.oneSpark),
            RuleExample(
                .oneSpark, replacing: "      max_model_len: 32768\n",
                with: "      max_model_len: 32768\n      enable_prefix_caching: true\n      max_num_batched_tokens: 4096\n"),
            RuleExample(
                .oneSpark, replacing: "      max_model_len: 32768\n",
                with: "      max_model_len: 32768\n      enable_prefix_caching: false\n      max_num_batched_tokens: 2048\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.compactMap { model -> RuleFinding? in
            let vllm = model.vllm
            guard vllm.enablePrefixCaching else { return nil }
            if let tokens = vllm.maxNumBatchedTokens {
                guard tokens < Self.minimumTokens else { return nil }
                return RuleFinding(
                    "model '\(model.name)' enables prefix caching with max_num_batched_tokens \(tokens), below \(Self.minimumTokens)",
                    at: vllm.path / "max_num_batched_tokens")
            }
            return RuleFinding(
                "model '\(model.name)' enables prefix caching without max_num_batched_tokens, so vLLM uses its default of 2048",
                at: vllm.path / "enable_prefix_caching")
        }
    }
}
