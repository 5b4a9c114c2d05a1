import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL006: each node's share of the weights leaves room for a KV cache within vLLM's budget.
struct ModelFitsRule: Rule {
    /// Below this much KV cache per node a model loads but serves almost nothing.
    static let minimumKVCacheGB = 4.0

    let description = RuleDescription(
        id: "CL006",
        title: "the model fits in the memory vLLM may use on each node",
        rationale: """
            vLLM claims gpu_memory_utilization × usable memory on every node and must fit its share of \
            the weights plus a KV cache in it. The guide's Qwen3-235B-A22B-FP8 at TP=2 needs about \
            117.5 GB of weights per node against 96.8 GB (121 GB × 0.80): Ray kills the worker at its \
            95% memory threshold while loading. The 122B GPTQ-Int4 model (about 34 GB per node) fits.
            """,
        help: "use a smaller quantization (a 235B INT4 needs about 58 GB per node), add nodes, or raise gpu_memory_utilization",
        triggering: [
            RuleExample(
                .sparkPair,
                [
                    ("source: Qwen/Qwen3.5-122B-A10B-GPTQ-Int4", "source: Qwen/Qwen3-235B-A22B-FP8"),
                    ("weights_gb: 68", "weights_gb: ↓235"),
                ])
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.compactMap { model -> RuleFinding? in
            let nodes = context.members(of: model)
            // Discrete GPUs: the weights are split over the model's GPUs, each with its own memory.
            if nodes.count == 1, let node = nodes.first, node.hardware.gpuMemoryGB != nil {
                return discrete(model, on: node)
            }
            guard let tightest = nodes.min(by: { $0.hardware.usableGB < $1.hardware.usableGB }) else { return nil }
            let perNode = model.weightsGB / Double(nodes.count)
            guard case .fraction(let fraction, _) = model.memoryClaim else {
                // Ollama and llama.cpp take what they need; the weights and a KV cache must fit in what the node has.
                guard perNode + Self.minimumKVCacheGB > tightest.hardware.usableGB else { return nil }
                return RuleFinding(
                    "model '\(model.name)' needs \(perNode.shortText) GB of weights, but '\(tightest.name)' has \(tightest.hardware.usableGB.shortText) GB usable, leaving less than \(Self.minimumKVCacheGB.shortText) GB for the KV cache",
                    at: model.path / "weights_gb")
            }
            let budget = tightest.hardware.usableGB * fraction
            guard perNode + Self.minimumKVCacheGB > budget else { return nil }
            return RuleFinding(
                "model '\(model.name)' needs \(perNode.shortText) GB of weights per node, but \(model.runtime.kind.title) may use only \(budget.shortText) GB on '\(tightest.name)' (\(tightest.hardware.usableGB.shortText) GB usable × \(fraction)), leaving less than \(Self.minimumKVCacheGB.shortText) GB for the KV cache",
                at: model.path / "weights_gb")
        }
    }

    /// A model on discrete GPUs: each of its GPUs holds its share of the weights and a KV cache in
    /// the fraction vLLM claims of that GPU's own memory (or, for the others, all of it).
    private func discrete(_ model: ClusterPlan, on node: ClusterMember) -> RuleFinding? {
        let indices = node.hardware.gpuIndices(model.gpuIDs)
        guard let tightest = indices.min(by: { node.hardware.memoryGB(ofGPU: $0) < node.hardware.memoryGB(ofGPU: $1) }) else { return nil }
        let perGPU = model.weightsGB / Double(indices.count)
        let memory = node.hardware.memoryGB(ofGPU: tightest)
        var budget = memory
        var claim = "it has \(memory.shortText) GB"
        if case .fraction(let fraction, _) = model.memoryClaim {
            budget = memory * fraction
            claim = "\(model.runtime.kind.title) may use only \(budget.shortText) GB (\(memory.shortText) GB × \(fraction))"
        }
        guard perGPU + Self.minimumKVCacheGB > budget else { return nil }
        return RuleFinding(
            "model '\(model.name)' needs \(perGPU.shortText) GB of weights per GPU, but on GPU \(tightest) of '\(node.name)' \(claim), leaving less than \(Self.minimumKVCacheGB.shortText) GB for the KV cache",
            at: model.path / "weights_gb")
    }
}
