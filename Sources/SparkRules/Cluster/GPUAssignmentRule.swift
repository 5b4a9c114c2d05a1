import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL017: GPUs given to models by index exist, match the model's parallelism, and are not
/// given to two models that start together.
struct GPUAssignmentRule: Rule {
    let description = RuleDescription(
        id: "CL017",
        title: "the GPUs given by index exist, match the parallelism and are not shared by accident",
        rationale: """
            'gpu_ids' gives a compose-run model some of a node's GPUs (a device request by id). An id \
            the node does not have stops the container at start ("unknown device"); a vLLM model \
            whose tensor × pipeline parallel differs from its GPU count fails to place its workers; \
            and two models that start together on one id, each sized for the whole GPU, run out of \
            memory under load. The hand-written guide's assignments (20B on GPU 0, 30B on GPUs 1 \
            and 2, 120B alone on 0 to 2) work only because no two that run together share one.
            """,
        help: "give each model that starts with the stack GPUs of its own, as many as tensor_parallel × pipeline_parallel, below hardware.gpus",
        triggering: [
            RuleExample(
                .multiModel,
                [
                    (
                        "hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}",
                        "hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121, gpus: 2}"
                    ),
                    ("    port: 8001\n", "    port: 8001\n    gpu_ids: [0]\n"),
                    ("    port: 8002\n", "    port: 8002\n    gpu_ids: [↓0]\n"),
                ]),
            RuleExample(.multiModel, [("    port: 8001\n", "    port: 8001\n    gpu_ids: [↓1]\n")]),
        ],
        nonTriggering: [
            .clean(.twoOwnerLab),
            RuleExample(
                .multiModel,
                [
                    (
                        "hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}",
                        "hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121, gpus: 2}"
                    ),
                    ("    port: 8001\n", "    port: 8001\n    gpu_ids: [0]\n"),
                    ("    port: 8002\n", "    port: 8002\n    gpu_ids: [1]\n"),
                    // Started by hand once the others stop: it may use their GPUs.
                    ("    port: 8003\n", "    port: 8003\n    gpu_ids: [0]\n"),
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        var claimed: [String: [Int: String]] = [:]  // node → GPU id → the model that starts with it
        for cluster in context.plan.clusters {
            let model = cluster
            guard let ids = model.gpuIDs else { continue }
            let path = model.path / "gpu_ids"
            let node = cluster.head
            for (index, id) in ids.enumerated() where id >= node.hardware.gpus {
                findings.append(
                    RuleFinding(
                        "model '\(model.name)' is given GPU \(id), but node '\(node.name)' has \(node.hardware.gpus) (0 to \(node.hardware.gpus - 1))",
                        at: path / index))
            }
            let needed = model.tensorParallel * model.pipelineParallel
            if model.parallelism == .rankPerGPU, needed != ids.count {
                findings.append(
                    RuleFinding(
                        "model '\(model.name)' is given \(ids.count) GPUs but runs tensor × pipeline parallel \(needed)", at: path))
            }
            guard model.start == .auto else { continue }
            for (index, id) in ids.enumerated() {
                if let other = claimed[node.name]?[id] {
                    findings.append(
                        RuleFinding(
                            "models '\(other)' and '\(model.name)' both start with GPU \(id) of node '\(node.name)'", at: path / index))
                } else {
                    claimed[node.name, default: [:]][id] = model.name
                }
            }
        }
        return findings
    }
}
