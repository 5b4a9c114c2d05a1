import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL015: a runtime's image is built for its node's CPU, GPUs and GPU target.
struct ImagePlatformRule: Rule {
    let description = RuleDescription(
        id: "CL015",
        title: "a model's image is built for its node's CPU architecture, GPUs and GPU target",
        rationale: """
            An image built for amd64 does not start on an arm64 DGX Spark ('exec format error'), and a \
            ROCm image finds no GPU on an NVIDIA machine, nor a CUDA image on an AMD one: the model \
            then runs on the CPU, if at all, and the node looks healthy until the first request. An \
            image for the right vendor can still lack the GPU's target: vLLM's ROCm images before \
            v0.19.0 are built on ROCm 7.0, which has no gfx1151, Strix Halo's GPU \
            (vllm-project/vllm#31333). The platforms come from the facts layer (SparkPlan/Facts), \
            which cites the publishers' release pipelines for each.
            """,
        help: "use the image variant for the node's architecture and GPUs (hardware.arch, hardware.gpu), or a release built for its GPU",
        triggering: [
            RuleExample(.amdBox, replacing: "base_image: vllm/vllm-openai-rocm:v0.20.0", with: "base_image: ↓vllm/vllm-openai:v0.20.0"),
            RuleExample(.amdBox, replacing: "base_image: vllm/vllm-openai-rocm:v0.20.0", with: "base_image: ↓vllm/vllm-openai-rocm:v0.11.2"),
            RuleExample(.oneSpark, replacing: "base_image: nvcr.io/nvidia/vllm:26.04-py3", with: "base_image: ↓vllm/vllm-openai:v0.11.2-x86_64"),
        ],
        nonTriggering: [
            .clean(.oneSpark),
            .clean(.amdBox),
            RuleExample(.amdBox, replacing: "ollama/ollama:0.12.6-rocm", with: "ollama/ollama:0.12.6"),
            RuleExample(.amdBox, replacing: "base_image: vllm/vllm-openai-rocm:v0.20.0", with: "base_image: vllm/vllm-openai-rocm:v0.19.0"),
            RuleExample(.oneSpark, replacing: "base_image: nvcr.io/nvidia/vllm:26.04-py3", with: "base_image: vllm/vllm-openai:v0.20.0"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for cluster in context.plan.clusters {
            // The image pulled from a registry: a multi-node vLLM builds its own on top of it.
            let image = cluster.runtime.baseImage
            for node in cluster.members {
                guard let mismatch = ImageFacts.mismatch(cluster.imageFact, on: node.hardware) else { continue }
                findings.append(
                    RuleFinding(
                        "model '\(cluster.name)' runs \(image) on node '\(node.name)': \(mismatch.problem) (\(mismatch.source))",
                        at: cluster.imagePath))
            }
        }
        return findings
    }
}
