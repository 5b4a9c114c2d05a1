import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL024: no model runs a build that is known to start and then serve from the CPU on its GPUs.
struct KnownBadBuildRule: Rule {
    let description = RuleDescription(
        id: "CL024",
        title: "no image is a build known to miss the node's GPU",
        rationale: """
            Some releases start, answer /health and serve from the CPU on some GPUs: llama.cpp's \
            Vulkan images lacked the libglvnd libraries Mesa's driver loads until \
            ggml-org/llama.cpp#18664 fixed #17761 ('ggml_vulkan: No devices found'), and builds \
            b9592 to b9679 lost the device again (#24697). A model then runs a hundred times \
            slower and nothing fails. The windows and their sources are in \
            SparkPlan/Facts/KnownBadWindow.swift.
            """,
        help: "pin a build past the window (the finding names the first known good one)",
        triggering: [
            RuleExample(
                .amdBox, replacing: "image: ghcr.io/ggml-org/llama.cpp:server-vulkan-b9570", with: "image: ↓ghcr.io/ggml-org/llama.cpp:server-vulkan-b6700"),
            RuleExample(
                .amdBox, replacing: "image: ghcr.io/ggml-org/llama.cpp:server-vulkan-b9570", with: "image: ↓ghcr.io/ggml-org/llama.cpp:server-vulkan-b9600"),
        ],
        nonTriggering: [
            .clean(.amdBox),
            // The ROCm image is not the Vulkan one.
            RuleExample(.amdBox, replacing: "server-vulkan-b9570", with: "server-rocm-b6700"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for cluster in context.plan.clusters {
            let image = cluster.runtime.baseImage
            for node in cluster.members {
                for window in KnownBadWindow.windows(for: cluster.imageFact, vendor: node.hardware.gpuVendor) {
                    findings.append(
                        RuleFinding(
                            "model '\(cluster.name)' runs \(image) on node '\(node.name)' (\(node.hardware.gpuVendor.rawValue) GPUs): \(window.what) (\(window.source))",
                            at: cluster.imagePath,
                            help: "pin build \(window.fixedIn) or later, past the window"))
                }
            }
        }
        return findings
    }
}
