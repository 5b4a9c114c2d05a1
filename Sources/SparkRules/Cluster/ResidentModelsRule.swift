import SparkDiagnostics
import SparkSpec

/// CL009: the models resident on one node do not claim more than its memory together.
struct ResidentModelsRule: Rule {
    let description = RuleDescription(
        id: "CL009",
        title: "models sharing a node fit in its memory together",
        rationale: """
            Each vLLM instance reserves gpu_memory_utilization of the node's memory for itself at \
            start, and an Ollama or llama.cpp server holds at least its weights. Two vLLM instances at \
            0.80 on one node ask for 160%: the second fails to allocate, or the kernel's OOM killer \
            ends one of them under load. The models that start with the stack are counted together; \
            a model with 'start: manual' runs once the others are stopped, and is counted alone.
            """,
        help: "lower gpu_memory_utilization so the models on the node add up to at most 95% of its usable memory, move a model, or give the largest 'start: manual'",
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

    /// What a model holds of a node's usable memory, in thousandths: vLLM reserves its fraction
    /// at start; Ollama and llama.cpp hold at least the weights (their KV cache comes on top).
    static func share(of model: Model, on node: Node) -> (thousandths: Int, path: SpecPath) {
        if model.runtime.kind == .vllm {
            return (thousandths(model.vllm.gpuMemoryUtilization), model.vllm.path / "gpu_memory_utilization")
        }
        let nodes = max(1, model.cluster.workers.count + 1)
        return (Int((model.weightsGB / Double(nodes) / node.hardware.usableGB * 1000).rounded(.up)), model.path / "weights_gb")
    }

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let modelsByNode = context.modelsByNode()
        for node in context.topology.nodes {
            let models = modelsByNode[node.name] ?? []
            // The models that start with the stack run together; a manual-start model runs once the
            // others are stopped (the runbook says so), so it is counted alone.
            var total = 0
            var names: [String] = []
            for model in models where model.start == .auto {
                let share = Self.share(of: model, on: node)
                total += share.thousandths
                names.append(model.name)
                if names.count > 1, total > Self.ceiling {
                    findings.append(RuleFinding(
                        "models \(names.map { "'\($0)'" }.joined(separator: ", ")) on node '\(node.name)' reserve \(Int((Double(total) / 10).rounded()))% of its memory together",
                        at: share.path))
                }
            }
            for model in models where model.start == .manual {
                let share = Self.share(of: model, on: node)
                guard share.thousandths > Self.ceiling else { continue }
                findings.append(RuleFinding(
                    "model '\(model.name)' reserves \(Int((Double(share.thousandths) / 10).rounded()))% of the memory of node '\(node.name)' even with every other model stopped",
                    at: share.path))
            }
        }
        return findings
    }
}
