import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL003: the parallel layout uses exactly the GPUs of the cluster's nodes.
struct ParallelismRule: Rule {
    let description = RuleDescription(
        id: "CL003",
        title: "tensor_parallel × pipeline_parallel equals the cluster's GPUs",
        rationale: """
            vLLM places one rank on each GPU. With fewer GPUs than ranks its placement group waits \
            forever; with more, GPUs sit idle while the head waits for a count that is never reached.
            """,
        help: "set tensor_parallel × pipeline_parallel to the number of GPUs on the head and workers, or change the nodes",
        triggering: [
            RuleExample(.sparkPair, replacing: "workers: [spark-02], tensor_parallel: 2", with: "workers: [spark-02], tensor_parallel: ↓4")
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.compactMap { model -> RuleFinding? in
            // Ollama and llama.cpp split a model over the GPUs they see; GPUs given by index are CL017's.
            guard model.parallelism == .rankPerGPU, model.gpuIDs == nil else { return nil }
            let gpus = context.members(of: model).reduce(0) { $0 + $1.hardware.gpus }
            let ranks = model.tensorParallel * model.pipelineParallel
            guard ranks != gpus else { return nil }
            return RuleFinding(
                "model '\(model.name)' needs \(ranks) GPUs (tensor_parallel \(model.tensorParallel) × pipeline_parallel \(model.pipelineParallel)) but its nodes have \(gpus)",
                at: model.clusterPath / "tensor_parallel")
        }
    }
}
