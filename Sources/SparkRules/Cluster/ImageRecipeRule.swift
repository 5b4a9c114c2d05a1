import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL013: one image name, one recipe.
struct ImageRecipeRule: Rule {
    let description = RuleDescription(
        id: "CL013",
        title: "models that name one image build it from one recipe",
        rationale: """
            A multi-node model's image is built on every member from its base image plus a pinned Ray, \
            in a Dockerfile named after the image. Two models that give one image name (or one \
            repository, which names the Dockerfile) different base images or Ray versions would have \
            one recipe overwrite the other: a node builds, and a model then runs, an image it was never \
            meant to, and members of one cluster can end up with Rays that refuse to form it.
            """,
        help: "give each recipe an image name of its own (runtime.image), or make the base image and ray_version agree",
        triggering: [
            RuleExample(
                .sparkPair, replacing: "      max_model_len: 65536\n",
                with: """
                          max_model_len: 65536
                      qwen3-8b:
                        source: Qwen/Qwen3-8B-FP8
                        revision: main
                        weights_gb: 8
                        runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.05-py3, image: ↓vllm-spark:26.05, ray_token: {file: ~/.ray-cluster-token.env}}
                        cluster: {head: spark-02, workers: [spark-01], tensor_parallel: 2, ray_port: 6380}
                        port: 8002
                        vllm: {gpu_memory_utilization: 0.10, max_model_len: 8192}

                    """)
        ],
        nonTriggering: [
            .clean(.sparkPair),
            RuleExample(
                .sparkPair, replacing: "      max_model_len: 65536\n",
                with: """
                          max_model_len: 65536
                      qwen3-8b:
                        source: Qwen/Qwen3-8B-FP8
                        revision: main
                        weights_gb: 8
                        runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.05-py3, image: vllm-spark-next:26.05, ray_token: {file: ~/.ray-cluster-token.env}}
                        cluster: {head: spark-02, workers: [spark-01], tensor_parallel: 2, ray_port: 6380}
                        port: 8002
                        vllm: {gpu_memory_utilization: 0.10, max_model_len: 8192}

                    """),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        var recipes: [String: ClusterPlan] = [:]
        for cluster in context.plan.clusters {
            guard let name = cluster.dockerfileName else { continue }
            guard let first = recipes[name] else {
                recipes[name] = cluster
                continue
            }
            let same =
                first.image == cluster.image && first.runtime.baseImage == cluster.runtime.baseImage
                && first.rayVersion == cluster.rayVersion
            guard !same else { continue }
            findings.append(
                RuleFinding(
                    "model '\(cluster.name)' builds \(cluster.image) from \(cluster.runtime.baseImage) with Ray \(cluster.rayVersion ?? "?") in \(name), which model '\(first.name)' builds as \(first.image) from \(first.runtime.baseImage) with Ray \(first.rayVersion ?? "?")",
                    at: cluster.runtime.path / "image"))
        }
        return findings
    }
}
