import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL023: every `vllm serve` flag and value spark-gen writes is one the pinned release accepts.
struct ServeArgumentsRule: Rule {
    let description = RuleDescription(
        id: "CL023",
        title: "the pinned vLLM accepts every flag and value spark-gen passes it",
        rationale: """
            vLLM refuses an argument it does not know, or a value outside a flag's list, at start \
            ('argument --kv-cache-dtype: invalid choice'): the container stops, compose restarts it, \
            and the runbook waits half an hour for a model that never comes. Flags come and go \
            between releases (TurboQuant's cache dtypes arrived with vllm-project/vllm#38479; \
            --rope-scaling left in 0.11.1), so a topology written for one release breaks on \
            another. The accepted arguments of each release come from vLLM's source at its tag \
            (SparkPlan/Facts/VLLMServeArguments.swift, which names the file it read); the release \
            is the image's tag.
            """,
        help: "pin a vLLM release that accepts the setting (the finding names the first one), or change the setting",
        triggering: [
            RuleExample(
                .gateway,
                [
                    ("base_image: vllm/vllm-openai:v0.20.0", "base_image: vllm/vllm-openai:v0.11.2"),
                    ("      gpu_memory_utilization: 0.92\n", "      gpu_memory_utilization: 0.92\n      kv_cache_dtype: ↓turboquant_k8v4\n"),
                ])
        ],
        nonTriggering: [
            .clean(.gateway),
            RuleExample(
                .gateway, replacing: "      gpu_memory_utilization: 0.92\n", with: "      gpu_memory_utilization: 0.92\n      kv_cache_dtype: turboquant_k8v4\n"
            ),
            RuleExample(
                .gateway,
                [
                    ("base_image: vllm/vllm-openai:v0.20.0", "base_image: vllm/vllm-openai:v0.11.2"),
                    ("      gpu_memory_utilization: 0.92\n", "      gpu_memory_utilization: 0.92\n      kv_cache_dtype: fp8\n"),
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.flatMap { cluster in
            VLLMArgumentCheck.problems(cluster.vllmServeArguments, image: cluster.runtime.baseImage, fact: cluster.imageFact).map { problem in
                RuleFinding("model '\(cluster.name)': \(problem.message)", at: Self.path(of: problem.flag, in: cluster), help: problem.help)
            }
        }
    }

    /// Where the topology sets a flag: `--kv-cache-dtype` is `vllm.kv_cache_dtype`; a flag with
    /// no key of its own (`--host`) points at the model's vLLM settings.
    static func path(of flag: String, in cluster: ClusterPlan) -> SpecPath {
        let key = String(flag.drop { $0 == "-" }).replacingAll("-", with: "_")
        switch key {
        case "tensor_parallel_size": return cluster.clusterPath / "tensor_parallel"
        case "pipeline_parallel_size": return cluster.clusterPath / "pipeline_parallel"
        case "enable_auto_tool_choice": return cluster.vllm.path / "tool_call_parser"
        default: return cluster.vllm.path / key
        }
    }
}
