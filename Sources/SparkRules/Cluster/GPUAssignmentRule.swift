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
                .oneSpark,
                [
                    ("usable_gb: 121}", "usable_gb: 121, gpus: 2}"),
                    ("kind: vllm, base_image", "kind: vllm, runner: compose, base_image"),
                    ("    port: 8000\n", "    port: 8000\n    gpu_ids: [0]\n"),
                    (
                        "      max_model_len: 32768\n",
                        """
                              max_model_len: 32768
                          qwen3-4b:
                            source: Qwen/Qwen3-4B-Instruct-2507
                            revision: main
                            weights_gb: 8
                            runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                            node: spark
                            port: 8002
                            gpu_ids: [↓0]
                            vllm: {gpu_memory_utilization: 0.10, max_model_len: 8192}

                        """
                    ),
                ]),
            RuleExample(
                .oneSpark, [("kind: vllm, base_image", "kind: vllm, runner: compose, base_image"), ("    port: 8000\n", "    port: 8000\n    gpu_ids: [↓1]\n")]),
        ],
        nonTriggering: [
            .clean(.oneSpark),
            RuleExample(
                .oneSpark,
                [
                    ("usable_gb: 121}", "usable_gb: 121, gpus: 2}"),
                    ("kind: vllm, base_image", "kind: vllm, runner: compose, base_image"),
                    ("    port: 8000\n", "    port: 8000\n    gpu_ids: [0]\n"),
                    (
                        "      max_model_len: 32768\n",
                        """
                              max_model_len: 32768
                          qwen3-4b:
                            source: Qwen/Qwen3-4B-Instruct-2507
                            revision: main
                            weights_gb: 8
                            runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                            node: spark
                            port: 8002
                            gpu_ids: [1]
                            vllm: {gpu_memory_utilization: 0.10, max_model_len: 8192}

                        """
                    ),
                ]),
            // Started by hand once the other stops: it may use its GPU.
            RuleExample(
                .oneSpark,
                [
                    ("usable_gb: 121}", "usable_gb: 121, gpus: 2}"),
                    ("kind: vllm, base_image", "kind: vllm, runner: compose, base_image"),
                    ("    port: 8000\n", "    port: 8000\n    gpu_ids: [0]\n"),
                    (
                        "      max_model_len: 32768\n",
                        """
                              max_model_len: 32768
                          qwen3-4b:
                            source: Qwen/Qwen3-4B-Instruct-2507
                            revision: main
                            weights_gb: 8
                            runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                            node: spark
                            port: 8002
                            start: manual
                            gpu_ids: [0]
                            vllm: {gpu_memory_utilization: 0.10, max_model_len: 8192}

                        """
                    ),
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
