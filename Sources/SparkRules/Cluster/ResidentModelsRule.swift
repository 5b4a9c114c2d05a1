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
            a model with 'start: manual' runs once the others are stopped, and is counted alone. A \
            catalog runs one model at a time beside them, and any of its models may be swapped in, so \
            it counts as its largest model, never as the sum of the catalog.
            """,
        help: "lower gpu_memory_utilization so the models on the node add up to at most 95% of its usable memory, move a model, or give the largest 'start: manual'",
        triggering: [
            // A model beside the catalog leaves too little for its largest model to be swapped in.
            RuleExample(base: "spark-control", replacing: "models:\n", with: """
                models:
                  embedder:
                    source: Qwen/Qwen3-Embedding-8B
                    weights_gb: 16
                    runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                    node: spark-1
                    vllm: {gpu_memory_utilization: ↓0.3}

                """),
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
            // Five models take turns on spark-1: counted as the largest, not the sum (which is 300%).
            RuleExample(base: "spark-control", []),
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

    /// What a model holds of one discrete GPU, in thousandths: vLLM its fraction; Ollama and
    /// llama.cpp their share of the weights over the model's GPUs.
    static func share(of model: Model, on node: Node, gpu: Int) -> (thousandths: Int, path: SpecPath) {
        if model.runtime.kind == .vllm {
            return (thousandths(model.vllm.gpuMemoryUtilization), model.vllm.path / "gpu_memory_utilization")
        }
        let gpus = Double(node.hardware.gpuIndices(model.gpuIDs).count)
        let memory = node.hardware.memoryGB(ofGPU: gpu)
        return (memory > 0 ? Int((model.weightsGB / gpus / memory * 1000).rounded(.up)) : Self.ceiling + 1, model.path / "weights_gb")
    }

    /// A node with discrete GPUs: each GPU's memory is its own, so the models are counted per GPU
    /// (those given it by `gpu_ids`, and those given every GPU).
    private func perGPU(_ node: Node, _ models: [Model]) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for gpu in 0..<node.hardware.gpus {
            let here = models.filter { node.hardware.gpuIndices($0.gpuIDs).contains(gpu) }
            var total = 0
            var names: [String] = []
            for model in here where model.start == .auto {
                let share = Self.share(of: model, on: node, gpu: gpu)
                total += share.thousandths
                names.append("'\(model.name)'")
                if names.count > 1, total > Self.ceiling {
                    findings.append(RuleFinding(
                        "models \(names.joined(separator: ", ")) on GPU \(gpu) of node '\(node.name)' reserve \(Int((Double(total) / 10).rounded()))% of its memory together",
                        at: share.path))
                }
            }
            for model in here where model.start == .manual {
                let share = Self.share(of: model, on: node, gpu: gpu)
                guard share.thousandths > Self.ceiling else { continue }
                findings.append(RuleFinding(
                    "model '\(model.name)' reserves \(Int((Double(share.thousandths) / 10).rounded()))% of the memory of GPU \(gpu) of node '\(node.name)' even with every other model stopped",
                    at: share.path))
            }
        }
        return findings
    }

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let modelsByNode = context.modelsByNode()
        for node in context.topology.nodes {
            let models = modelsByNode[node.name] ?? []
            if node.hardware.gpuMemoryGB != nil {
                findings += perGPU(node, models)
                continue
            }
            // The models that start with the stack run together; a manual-start model runs once the
            // others are stopped (the runbook says so), so it is counted alone. A catalog keeps one
            // of its models running beside them, and any may be swapped in: it counts as its largest.
            var largest: [(catalog: String, model: Model, share: (thousandths: Int, path: SpecPath))] = []
            for model in models {
                guard let catalog = model.catalog else { continue }
                let share = Self.share(of: model, on: node)
                if let index = largest.firstIndex(where: { $0.catalog == catalog }) {
                    if share.thousandths > largest[index].share.thousandths { largest[index] = (catalog, model, share) }
                } else {
                    largest.append((catalog, model, share))
                }
            }
            // Catalogs first: a finding points at the model that leaves too little room beside them.
            var resident = largest.map { (name: "'\($0.model.name)' (the largest of catalog '\($0.catalog)')", share: $0.share) }
            for model in models where model.start == .auto && model.catalog == nil {
                resident.append(("'\(model.name)'", Self.share(of: model, on: node)))
            }
            var total = 0
            for (index, entry) in resident.enumerated() {
                total += entry.share.thousandths
                if index > 0, total > Self.ceiling {
                    findings.append(RuleFinding(
                        "models \(resident[...index].map(\.name).joined(separator: ", ")) on node '\(node.name)' reserve \(Int((Double(total) / 10).rounded()))% of its memory together",
                        at: entry.share.path))
                }
            }
            let alone = models.filter { $0.start == .manual && $0.catalog == nil } + largest.map(\.model)
            for model in alone {
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
