import SparkDiagnostics
import SparkSpec

/// CL005: a model spread over several nodes runs on Ray, in an image that has Ray.
struct RayRuntimeRule: Rule {
    let description = RuleDescription(
        id: "CL005",
        title: "a multi-node model runs on Ray in an image with Ray",
        rationale: """
            vLLM needs Ray for any multi-node run and checks for it at engine start, whatever the \
            launch method. NVIDIA's NGC vLLM image ships without Ray, so running it directly fails with \
            'ray: not found'; spark-gen builds `image` from `base_image` with Ray added.
            """,
        help: "set runtime.image to a new tag (spark-gen's Dockerfile adds Ray to base_image) and keep the Ray executor",
        triggering: [
            RuleExample(.sparkPair, replacing: "      image: vllm-spark:26.04", with: "      image: ↓nvcr.io/nvidia/vllm:26.04-py3"),
            RuleExample(
                .sparkPair, replacing: "      max_model_len: 65536\n", with: "      max_model_len: 65536\n      distributed_executor_backend: ↓mp\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for model in context.plan.clusters {
            let nodes = context.members(of: model)
            guard nodes.count > 1 else { continue }
            if model.runtime.image == model.runtime.baseImage {
                findings.append(
                    RuleFinding(
                        "model '\(model.name)' spans \(nodes.count) nodes but runs '\(model.runtime.image)', the base image, which has no Ray",
                        at: model.runtime.path / "image"))
            }
            if let backend = model.vllm.distributedExecutorBackend, backend != "ray" {
                findings.append(
                    RuleFinding(
                        "model '\(model.name)' spans \(nodes.count) nodes but uses the '\(backend)' executor, which runs on one node only",
                        at: model.vllm.path / "distributed_executor_backend"))
            }
        }
        return findings
    }
}
