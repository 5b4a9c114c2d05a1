import SparkDiagnostics
import SparkPlan
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
            it counts as its largest model, never as the sum of the catalog. On a node with discrete \
            GPUs each GPU's memory is counted on its own, with the models given that GPU.
            """,
        help:
            "lower gpu_memory_utilization so the models on the node add up to at most 95% of its usable memory, move a model, or give the largest 'start: manual'",
        triggering: [
            // A model beside the catalog leaves too little for its largest model to be swapped in.
            RuleExample(
                .catalog, replacing: "models:\n",
                with: """
                    models:
                      embedder:
                        source: Qwen/Qwen3-Embedding-8B
                        revision: main
                        weights_gb: 16
                        runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                        node: spark-1
                        port: 8010
                        vllm: {gpu_memory_utilization: ↓0.3}

                    """),
            RuleExample(
                .oneSpark, replacing: "      max_model_len: 32768\n",
                with: """
                          max_model_len: 32768
                      embedder:
                        source: Qwen/Qwen3-Embedding-8B
                        revision: main
                        weights_gb: 16
                        runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                        node: spark
                        port: 8002
                        vllm: {gpu_memory_utilization: ↓0.3}

                    """),
        ],
        nonTriggering: [
            .clean(.oneSpark),
            // Two models take turns on spark-1: counted as the largest, not the sum (which is 145%).
            .clean(.catalog),
            // 0.80 + 0.15 is exactly the budget; binary floats would make it 0.9500000000000001.
            RuleExample(
                .oneSpark, replacing: "      max_model_len: 32768\n",
                with: """
                          max_model_len: 32768
                      embedder:
                        source: Qwen/Qwen3-Embedding-4B
                        revision: main
                        weights_gb: 8
                        runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                        node: spark
                        port: 8002
                        vllm: {gpu_memory_utilization: 0.15}

                    """),
        ])

    /// The budget in thousandths: fractions are compared as the decimals the user wrote
    /// (0.80 + 0.15 is 0.95, which binary floating point makes 0.9500000000000001).
    static let ceiling = 950

    static func thousandths(_ fraction: Double) -> Int { Int((fraction * 1000).rounded()) }

    /// Memory that one set of models shares: a node's unified memory (a DGX Spark), or one
    /// discrete GPU of a node (each GPU's memory is its own, and the models given it by
    /// `gpu_ids`, or given every GPU, share it).
    struct MemoryPool {
        /// How messages name it: `node 'spark-1'` or `GPU 1 of node 'ubuntu'`.
        let place: String
        let models: [ClusterPlan]
        /// What a model that holds its weights (Ollama, llama.cpp) holds of the pool, in
        /// thousandths; its KV cache comes on top.
        let weights: (ClusterPlan) -> Int

        /// What a model holds of the pool, in thousandths, and where the topology says so: vLLM
        /// reserves its fraction at start, the others at least their weights.
        func share(_ model: ClusterPlan) -> (thousandths: Int, path: SpecPath) {
            switch model.memoryClaim {
            case .fraction(let fraction, let path): return (thousandths(fraction), path)
            case .weights: return (weights(model), model.path / "weights_gb")
            }
        }
    }

    /// The pools of a node: one for unified memory, one per discrete GPU.
    static func pools(of node: NodePlan, models: [ClusterPlan], nodesOf: @escaping (ClusterPlan) -> Int) -> [MemoryPool] {
        let hardware = node.hardware
        guard hardware.gpuMemoryGB != nil else {
            // The weights are split over the cluster's nodes.
            return [
                MemoryPool(place: "node '\(node.name)'", models: models) { model in
                    Int((model.weightsGB / Double(max(1, nodesOf(model))) / hardware.usableGB * 1000).rounded(.up))
                }
            ]
        }
        return (0..<hardware.gpus).map { gpu in
            let memory = hardware.memoryGB(ofGPU: gpu)
            // The weights are split over the model's GPUs.
            return MemoryPool(place: "GPU \(gpu) of node '\(node.name)'", models: models.filter { hardware.gpuIndices($0.gpuIDs).contains(gpu) }) { model in
                let gpus = Double(hardware.gpuIndices(model.gpuIDs).count)
                return memory > 0 ? Int((model.weightsGB / gpus / memory * 1000).rounded(.up)) : ceiling + 1
            }
        }
    }

    /// The models that start with the stack run together; a manual-start model runs once the
    /// others are stopped (the runbook says so), so it is counted alone. A catalog keeps one of
    /// its models running beside them, and any may be swapped in: it counts as its largest.
    private func findings(in pool: MemoryPool) -> [RuleFinding] {
        var largest: [(catalog: String, model: ClusterPlan, share: (thousandths: Int, path: SpecPath))] = []
        for model in pool.models {
            guard let catalog = model.catalog?.name else { continue }
            let share = pool.share(model)
            if let index = largest.firstIndex(where: { $0.catalog == catalog }) {
                if share.thousandths > largest[index].share.thousandths { largest[index] = (catalog, model, share) }
            } else {
                largest.append((catalog, model, share))
            }
        }
        // Catalogs first: a finding points at the model that leaves too little room beside them.
        var resident = largest.map { (name: "'\($0.model.name)' (the largest of catalog '\($0.catalog)')", share: $0.share) }
        for model in pool.models where model.start == .auto && model.catalog == nil {
            resident.append(("'\(model.name)'", pool.share(model)))
        }
        var findings: [RuleFinding] = []
        var total = 0
        for (index, entry) in resident.enumerated() {
            total += entry.share.thousandths
            guard index > 0, total > Self.ceiling else { continue }
            let names = resident[...index].map(\.name).joined(separator: ", ")
            findings.append(
                RuleFinding(
                    "models \(names) on \(pool.place) reserve \(Self.percent(total))% of its memory together", at: entry.share.path))
        }
        for model in pool.models.filter({ $0.start == .manual && $0.catalog == nil }) + largest.map(\.model) {
            let share = pool.share(model)
            guard share.thousandths > Self.ceiling else { continue }
            findings.append(
                RuleFinding(
                    "model '\(model.name)' reserves \(Self.percent(share.thousandths))% of the memory of \(pool.place) even with every other model stopped",
                    at: share.path))
        }
        return findings
    }

    private static func percent(_ thousandths: Int) -> Int { Int((Double(thousandths) / 10).rounded()) }

    func check(_ context: RuleContext) -> [RuleFinding] {
        let modelsByNode = context.modelsByNode()
        return context.plan.nodes.flatMap { node in
            Self.pools(of: node, models: modelsByNode[node.name] ?? [], nodesOf: { context.members(of: $0).count }).flatMap(findings(in:))
        }
    }
}
