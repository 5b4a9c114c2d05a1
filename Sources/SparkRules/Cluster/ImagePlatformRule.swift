import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL015: a runtime's image is built for its node's CPU and GPUs.
struct ImagePlatformRule: Rule {
    let description = RuleDescription(
        id: "CL015",
        title: "a model's image is built for its node's CPU architecture and GPUs",
        rationale: """
            An image built for amd64 does not start on an arm64 DGX Spark ('exec format error'), and a \\
            ROCm image finds no GPU on an NVIDIA machine, nor a CUDA image on an AMD one: the model \\
            then runs on the CPU, if at all, and the node looks healthy until the first request. The \\
            platforms come from the publishers' release pipelines: ollama/ollama's -rocm tags and \\
            llama.cpp's server-rocm are amd64 only, vllm/vllm-openai is CUDA (its -x86_64 and \\
            -aarch64 tags one architecture each), vllm/vllm-openai-rocm and rocm/* are amd64 and AMD.
            """,
        help: "use the image variant for the node's architecture and GPUs (hardware.arch, hardware.gpu), or correct the node's hardware",
        triggering: [
            RuleExample(base: "one-box", replacing: "base_image: vllm/vllm-openai-rocm:v0.11.2", with: "base_image: ↓vllm/vllm-openai:v0.11.2"),
            RuleExample(replacing: "      base_image: nvcr.io/nvidia/vllm:26.04-py3", with: "      base_image: ↓vllm/vllm-openai:v0.11.2-x86_64"),
        ],
        nonTriggering: [
            .unchanged,
            RuleExample(base: "one-box", replacing: "ollama/ollama:0.12.6-rocm", with: "ollama/ollama:0.12.6"),
            RuleExample(replacing: "      base_image: nvcr.io/nvidia/vllm:26.04-py3", with: "      base_image: vllm/vllm-openai:v0.11.2"),
        ])

    /// What a publisher's pipeline builds an image for; nil where it is not known.
    struct Platform {
        var architectures: Set<String>?
        var vendor: Hardware.GPUVendor?
    }

    static func platform(of image: String) -> Platform {
        let reference = ImageReference(image)
        let repository = reference.repository, tag = reference.tag ?? "latest"
        let both: Set<String> = ["amd64", "arm64"]
        switch repository {
        case "ollama/ollama", "docker.io/ollama/ollama":
            return tag.contains("rocm") ? Platform(architectures: ["amd64"], vendor: .amd) : Platform(architectures: both, vendor: nil)
        case "ghcr.io/ggml-org/llama.cpp":
            if tag.contains("rocm") { return Platform(architectures: ["amd64"], vendor: .amd) }
            if tag.contains("cuda") { return Platform(architectures: both, vendor: .nvidia) }
            if tag.contains("musa") || tag.contains("intel") || tag.contains("openvino") { return Platform(architectures: ["amd64"], vendor: nil) }
            return Platform(architectures: both, vendor: nil)
        case "vllm/vllm-openai-rocm", "docker.io/vllm/vllm-openai-rocm":
            return Platform(architectures: ["amd64"], vendor: .amd)
        case "vllm/vllm-openai", "docker.io/vllm/vllm-openai":
            if tag.hasSuffix("-x86_64") { return Platform(architectures: ["amd64"], vendor: .nvidia) }
            if tag.hasSuffix("-aarch64") { return Platform(architectures: ["arm64"], vendor: .nvidia) }
            return Platform(architectures: both, vendor: .nvidia)
        default:
            if repository.hasPrefix("rocm/") || repository.hasPrefix("docker.io/rocm/") { return Platform(architectures: ["amd64"], vendor: .amd) }
            if repository.hasPrefix("nvcr.io/nvidia/") { return Platform(architectures: both, vendor: .nvidia) }
            return Platform(architectures: nil, vendor: nil)
        }
    }

    /// The node's architecture under the name registries use.
    static func architecture(_ arch: String) -> String {
        switch arch.lowercased() {
        case "x86_64", "x86-64", "amd64": return "amd64"
        case "aarch64", "arm64": return "arm64"
        default: return arch.lowercased()
        }
    }

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for cluster in context.plan.clusters {
            let runtime = cluster.runtime
            // The image pulled from a registry: a multi-node vLLM builds its own on top of it.
            let image = runtime.baseImage
            let path = runtime.path / (runtime.kind == .vllm ? "base_image" : "image")
            let platform = Self.platform(of: image)
            for node in cluster.members {
                let arch = Self.architecture(node.hardware.arch)
                if let architectures = platform.architectures, !architectures.contains(arch) {
                    findings.append(RuleFinding(
                        "model '\(cluster.name)' runs \(image), built for \(architectures.sorted().joined(separator: " and ")) only, on node '\(node.name)' (\(arch))",
                        at: path))
                } else if let vendor = platform.vendor, vendor != node.hardware.gpuVendor {
                    let gpus = node.hardware.gpuVendor == .none ? "no GPU" : "\(node.hardware.gpuVendor.rawValue) GPUs"
                    findings.append(RuleFinding(
                        "model '\(cluster.name)' runs \(image), built for \(vendor.rawValue) GPUs, on node '\(node.name)', which has \(gpus)",
                        at: path))
                }
            }
        }
        return findings
    }
}
