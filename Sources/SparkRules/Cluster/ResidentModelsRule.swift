import SparkDiagnostics
import SparkSpec

/// CL009: the models resident on one node do not claim more than its memory together.
struct ResidentModelsRule: Rule {
    let description = RuleDescription(
        id: "CL009",
        title: "models sharing a node fit in its memory together",
        rationale: """
            Each vLLM instance reserves gpu_memory_utilization of the node's memory for itself at \
            start. Two instances at 0.80 on one node ask for 160%: the second fails to allocate, or \
            the kernel's OOM killer ends one of them under load.
            """,
        help: "lower gpu_memory_utilization so the models on the node add up to at most 0.95, or move a model",
        triggering: [
            RuleExample(
                replacing: "      default_chat_template_kwargs: {enable_thinking: false}\n",
                with: """
                      default_chat_template_kwargs: {enable_thinking: false}
                  embedder:
                    source: Qwen/Qwen3-Embedding-8B
                    weights_gb: 16
                    runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3, image: vllm-spark:26.04}
                    cluster: {head: spark-01}
                    port: 8002
                    vllm: {gpu_memory_utilization: ↓0.3}

                """),
        ],
        nonTriggering: [
            .unchanged,
            // 0.80 + 0.15 is exactly the budget; binary floats would make it 0.9500000000000001.
            RuleExample(
                replacing: "      default_chat_template_kwargs: {enable_thinking: false}\n",
                with: """
                      default_chat_template_kwargs: {enable_thinking: false}
                  embedder:
                    source: Qwen/Qwen3-Embedding-4B
                    weights_gb: 8
                    runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3, image: vllm-spark:26.04}
                    cluster: {head: spark-01}
                    port: 8002
                    vllm: {gpu_memory_utilization: 0.15}

                """),
        ])

    /// The budget in thousandths: fractions are compared as the decimals the user wrote
    /// (0.80 + 0.15 is 0.95, which binary floating point makes 0.9500000000000001).
    static let ceiling = 950

    static func thousandths(_ fraction: Double) -> Int { Int((fraction * 1000).rounded()) }

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let modelsByNode = context.modelsByNode()
        for node in context.topology.nodes {
            var total = 0
            var names: [String] = []
            for model in modelsByNode[node.name] ?? [] {
                total += Self.thousandths(model.vllm.gpuMemoryUtilization)
                names.append(model.name)
                if names.count > 1, total > Self.ceiling {
                    findings.append(RuleFinding(
                        "models \(names.map { "'\($0)'" }.joined(separator: ", ")) on node '\(node.name)' reserve \(Int((Double(total) / 10).rounded()))% of its memory together",
                        at: model.vllm.path / "gpu_memory_utilization"))
                }
            }
        }
        return findings
    }
}
