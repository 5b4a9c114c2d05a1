import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL025: a load format that needs an optional extra runs on an image that has it.
struct LoadFormatExtraRule: Rule {
    /// Load formats that import a package vLLM installs only as an extra.
    static let extras = ["fastsafetensors": "fastsafetensors"]

    let description = RuleDescription(
        id: "CL025",
        title: "a load format's package is in the image",
        rationale: """
            '--load-format fastsafetensors' imports the fastsafetensors package, an optional extra \
            of vLLM: on an image without it the model stops loading with an ImportError. vLLM's own \
            images carry it from v0.20.0 (vllm-project/vllm#38950 added it to requirements/cuda.txt); \
            nothing shows NVIDIA's NGC vLLM image carries it. What each image holds is in \
            SparkPlan/Facts/ImageFacts.swift.
            """,
        help: "remove 'load_format', or run an image that has the package (vllm/vllm-openai:v0.20.0 or later)",
        triggering: [
            RuleExample(.catalog, replacing: "      max_model_len: 65536\n", with: "      max_model_len: 65536\n      load_format: ↓fastsafetensors\n")
        ],
        nonTriggering: [
            .clean(.catalog),
            RuleExample(
                .gateway, replacing: "      tool_call_parser: glm45\n", with: "      tool_call_parser: glm45\n      load_format: fastsafetensors\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.compactMap { cluster in
            guard let format = cluster.vllm.loadFormat, let extra = Self.extras[format], let fact = cluster.imageFact, fact.lacks(extra: extra) else {
                return nil
            }
            return RuleFinding(
                "model '\(cluster.name)' loads with '\(format)', but \(cluster.runtime.baseImage) lacks the \(extra) package (\(fact.source))",
                at: cluster.vllm.path / "load_format")
        }
    }
}
