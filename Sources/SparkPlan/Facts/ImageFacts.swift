import SparkSpec

/// The images spark-gen knows, by repository: what each tag runs and what it runs on. One
/// place for these facts, each with its source; rules and emitters ask here and never read a
/// tag themselves.
public enum ImageFacts {
    static let both: Set<String> = ["amd64", "arm64"]

    /// The repository without Docker Hub's default registry, so `docker.io/vllm/vllm-openai` and
    /// `vllm/vllm-openai` are one.
    static func repository(_ reference: ImageReference) -> String {
        let name = reference.repository
        for prefix in ["docker.io/library/", "docker.io/", "index.docker.io/"] where name.hasPrefix(prefix) {
            return String(name.dropFirst(prefix.count))
        }
        return name
    }

    /// What the image is, when the table knows its repository; nil otherwise.
    public static func fact(of image: String) -> ImageFact? {
        let reference = ImageReference(image)
        let tag = reference.tag ?? "latest"
        let repository = repository(reference)
        switch repository {
        case "vllm/vllm-openai":
            let version = ReleaseVersion(tag)
            // vLLM added fastsafetensors to requirements/cuda.txt and so to this image in
            // vllm-project/vllm#38950 (merged 2026-04-03), in v0.20.0 and later.
            let extras: Set<String>? = version.map { $0 >= ReleaseVersion("0.20.0")! ? ["fastsafetensors"] : [] }
            let architectures: Set<String> = tag.hasSuffix("-x86_64") ? ["amd64"] : tag.hasSuffix("-aarch64") ? ["arm64"] : both
            return ImageFact(
                program: .vllm, version: version, architectures: architectures, gpu: .init(vendor: .nvidia, api: "CUDA"), extras: extras,
                source: "vllm-project/vllm .buildkite/release-pipeline.yaml (multi-arch CUDA images, -x86_64 and -aarch64 tags one architecture each); "
                    + "fastsafetensors from v0.20.0: vllm-project/vllm#38950")
        case "vllm/vllm-openai-rocm":
            let version = ReleaseVersion(tag)
            var lacking: [GPUTarget: String] = [:]
            if let version, version < ReleaseVersion("0.19.0")! {
                lacking[.rocm("gfx1151")] =
                    "vllm-project/vllm#31333: the ROCm base image before v0.19.0 (ROCm 7.0) has no gfx1151; "
                    + "v0.19.0 (ROCm 7.2.1) is tested on Strix Halo"
            }
            return ImageFact(
                program: .vllm, version: version, architectures: ["amd64"], gpu: .init(vendor: .amd, api: "ROCm", lacking: lacking),
                extras: nil, source: "vllm-project/vllm docker/Dockerfile.rocm (amd64); vllm-project/vllm#31333")
        case "nvcr.io/nvidia/vllm":
            // The tag is the container's release (YY.MM); NVIDIA's release notes say which vLLM it
            // holds, recorded in facts/vllm/images.json (an unlisted tag's vLLM is not judged).
            let release = VLLMImageReleases.release(of: "\(repository):\(tag)")
            return ImageFact(
                program: .vllm, version: release.flatMap { ReleaseVersion($0.version) }, architectures: both,
                gpu: .init(vendor: .nvidia, api: "CUDA"), extras: [],
                source: "NVIDIA NGC vLLM container (multi-arch CUDA); fastsafetensors is an optional extra of vLLM (setup.py "
                    + "extras_require) that no NGC vLLM release note lists, and vLLM's own image gained it only with vllm-project/vllm#38950"
                    + (release.map { "; its vLLM: \($0.evidence)" } ?? ""))
        case "ghcr.io/ggml-org/llama.cpp":
            return llamaCpp(tag: tag)
        case "ollama/ollama":
            let rocm = tag.contains("rocm")
            return ImageFact(
                program: .ollama, version: ReleaseVersion(tag), architectures: rocm ? ["amd64"] : both,
                gpu: rocm ? .init(vendor: .amd, api: "ROCm") : nil,
                source: "ollama/ollama scripts/build_docker.sh (-rocm tags amd64 only)")
        default:
            if let fact = DefaultImages.fact(repository: repository, tag: tag) { return fact }
            if repository.hasPrefix("rocm/") {
                return ImageFact(
                    program: .vllm, version: nil, architectures: ["amd64"], gpu: .init(vendor: .amd, api: "ROCm"),
                    source: "AMD's rocm/* images on Docker Hub (amd64)")
            }
            return nil
        }
    }

    /// llama.cpp's server images: `server[-BACKEND]-bNNNN`, built by its docker workflow.
    static func llamaCpp(tag: String) -> ImageFact {
        let words = tag.split(separator: "-").map(String.init)
        let version = words.last.flatMap { $0.hasPrefix("b") ? ReleaseVersion($0) : nil }
        let source = "ggml-org/llama.cpp .github/workflows/docker.yml (platforms per backend)"
        func fact(_ architectures: Set<String>, _ gpu: ImageFact.GPU?) -> ImageFact {
            ImageFact(program: .llamaServer, version: version, architectures: architectures, gpu: gpu, source: source)
        }
        if words.contains("rocm") { return fact(["amd64"], .init(vendor: .amd, api: "ROCm")) }
        if words.contains(where: { $0.hasPrefix("cuda") }) { return fact(both, .init(vendor: .nvidia, api: "CUDA")) }
        if words.contains("vulkan") { return fact(both, .init(vendor: nil, api: "Vulkan")) }
        if words.contains("musa") || words.contains("intel") || words.contains("openvino") { return fact(["amd64"], nil) }
        return fact(both, nil)
    }

    /// The node's architecture under the name registries use.
    public static func architecture(_ arch: String) -> String {
        switch arch.lowercased() {
        case "x86_64", "x86-64", "amd64": return "amd64"
        case "aarch64", "arm64": return "arm64"
        default: return arch.lowercased()
        }
    }

    /// What keeps the image from serving on the node, if anything the table knows: an
    /// architecture it is not built for, another vendor's GPUs, a GPU target it lacks. From the
    /// image's fact (`ClusterPlan.imageFact`, read once per cluster; `fact(of:)` for a name).
    public static func mismatch(_ fact: ImageFact?, on hardware: Hardware) -> (problem: String, source: String)? {
        guard let fact else { return nil }
        let arch = architecture(hardware.arch)
        if let architectures = fact.architectures, !architectures.contains(arch) {
            return ("built for \(architectures.sorted().joined(separator: " and ")) only, not \(arch)", fact.source)
        }
        guard let gpu = fact.gpu else { return nil }
        if let vendor = gpu.vendor, vendor != hardware.gpuVendor {
            let gpus = hardware.gpuVendor == .none ? "no GPU" : "\(hardware.gpuVendor.rawValue) GPUs"
            return ("built for \(vendor.rawValue) GPUs (\(gpu.api)), and the node has \(gpus)", fact.source)
        }
        if let target = MachineFacts.fact(kind: hardware.kind)?.gpuTarget, let why = gpu.lacking[target] {
            return ("built without \(target), the GPU of a \(hardware.kind)", why)
        }
        return nil
    }
}
