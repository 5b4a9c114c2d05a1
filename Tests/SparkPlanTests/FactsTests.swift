import SparkDiagnostics
import Testing

@testable import SparkPlan
@testable import SparkSpec

/// The facts layer answers what rules ask: versions in order, an image's platform and the
/// targets it lacks, the windows a build falls in, the flags and values a vLLM release takes.
@Suite struct FactsTests {
    @Test func versionsCompareNumberByNumber() throws {
        let versions = ["v0.9.2", "0.11.2", "v0.20.0", "0.19.0"].compactMap(ReleaseVersion.init)
        #expect(versions.sorted().map(\.text) == ["v0.9.2", "0.11.2", "0.19.0", "v0.20.0"])
        #expect(ReleaseVersion("b9570")! < ReleaseVersion("b9592")!)
        #expect(ReleaseVersion("0.12.6-rocm")?.text == "0.12.6")
        #expect(ReleaseVersion("26.04-py3")?.numbers == [26, 4])
        #expect(ReleaseVersion("latest") == nil)
        #expect(ReleaseVersion("0.20") == ReleaseVersion("0.20.0"))
    }

    private static func hardware(kind: String, arch: String, gpu: Hardware.GPUVendor) -> Hardware {
        Hardware(kind: kind, arch: arch, memoryGB: 128, usableGB: 120, gpus: 1, gpuVendor: gpu, path: .root)
    }

    @Test func rocmVLLMBefore019LacksStrixHalo() {
        let box = Self.hardware(kind: "framework-desktop", arch: "amd64", gpu: .amd)
        #expect(ImageFacts.mismatch(ImageFacts.fact(of: "vllm/vllm-openai-rocm:v0.11.2"), on: box)?.problem.contains("gfx1151") == true)
        #expect(ImageFacts.mismatch(ImageFacts.fact(of: "vllm/vllm-openai-rocm:v0.19.0"), on: box) == nil)
        #expect(ImageFacts.mismatch(ImageFacts.fact(of: "docker.io/vllm/vllm-openai-rocm:v0.20.0"), on: box) == nil)
        // A machine whose GPU the table does not know is checked for vendor and architecture only.
        let other = Self.hardware(kind: "workstation", arch: "amd64", gpu: .amd)
        #expect(ImageFacts.mismatch(ImageFacts.fact(of: "vllm/vllm-openai-rocm:v0.11.2"), on: other) == nil)
        let spark = Self.hardware(kind: "dgx-spark", arch: "arm64", gpu: .nvidia)
        #expect(ImageFacts.mismatch(ImageFacts.fact(of: "vllm/vllm-openai:v0.20.0-x86_64"), on: spark)?.problem.contains("amd64 only") == true)
    }

    @Test func vulkanBuildsInsideAWindowOnAMD() {
        #expect(KnownBadWindow.windows(for: ImageFacts.fact(of: "ghcr.io/ggml-org/llama.cpp:server-vulkan-b6700"), vendor: .amd).count == 1)
        #expect(KnownBadWindow.windows(for: ImageFacts.fact(of: "ghcr.io/ggml-org/llama.cpp:server-vulkan-b9600"), vendor: .amd).count == 1)
        #expect(KnownBadWindow.windows(for: ImageFacts.fact(of: "ghcr.io/ggml-org/llama.cpp:server-vulkan-b9570"), vendor: .amd).isEmpty)
        #expect(KnownBadWindow.windows(for: ImageFacts.fact(of: "ghcr.io/ggml-org/llama.cpp:server-vulkan-b9680"), vendor: .amd).isEmpty)
        #expect(KnownBadWindow.windows(for: ImageFacts.fact(of: "ghcr.io/ggml-org/llama.cpp:server-rocm-b6700"), vendor: .amd).isEmpty)
        #expect(KnownBadWindow.windows(for: ImageFacts.fact(of: "ghcr.io/ggml-org/llama.cpp:server-vulkan-b6700"), vendor: .nvidia).isEmpty)
    }

    @Test func extrasAreKnownPerImage() throws {
        #expect(try #require(ImageFacts.fact(of: "nvcr.io/nvidia/vllm:26.04-py3")).lacks(extra: "fastsafetensors"))
        #expect(try #require(ImageFacts.fact(of: "vllm/vllm-openai:v0.11.2")).lacks(extra: "fastsafetensors"))
        #expect(!(try #require(ImageFacts.fact(of: "vllm/vllm-openai:v0.20.0")).lacks(extra: "fastsafetensors")))
        // Nothing known either way is no finding.
        #expect(!(try #require(ImageFacts.fact(of: "vllm/vllm-openai-rocm:v0.20.0")).lacks(extra: "fastsafetensors")))
    }

    @Test func aValueTheReleaseRefusesNamesTheFirstThatTakesIt() throws {
        let problems = VLLMArgumentCheck.problems([["--kv-cache-dtype", "turboquant_k8v4"], ["--port", "8000"]], image: "vllm/vllm-openai:v0.11.2")
        #expect(problems.count == 1)
        #expect(problems.first?.value == "turboquant_k8v4")
        #expect(problems.first?.message.contains("0.20.0 is the first release") == true)
        #expect(VLLMArgumentCheck.problems([["--kv-cache-dtype", "turboquant_k8v4"]], image: "vllm/vllm-openai:v0.20.0").isEmpty)
        // A release the table does not hold, or an image whose vLLM is unknown, is not judged.
        #expect(VLLMArgumentCheck.problems([["--kv-cache-dtype", "nonsense"]], image: "nvcr.io/nvidia/vllm:26.02-py3").isEmpty)
        // An NGC tag that facts/vllm/images.json names is judged by the vLLM it carries (26.04: 0.19.0).
        #expect(VLLMArgumentCheck.problems([["--kv-cache-dtype", "nonsense"]], image: "nvcr.io/nvidia/vllm:26.04-py3").count == 1)
        #expect(VLLMArgumentCheck.problems([["--kv-cache-dtype", "turboquant_k8v4"]], image: "nvcr.io/nvidia/vllm:26.04-py3").count == 1)
        #expect(VLLMArgumentCheck.problems([["--kv-cache-dtype", "turboquant_k8v4"]], image: "nvcr.io/nvidia/vllm:26.05-py3").isEmpty)
    }

    @Test func aFlagAReleaseRemovedNamesTheLastThatTookIt() throws {
        let tables = [
            VLLMServeArguments(version: "0.10.0", source: "test", flags: ["--rope-scaling": [], "--port": []]),
            VLLMServeArguments(version: "0.11.1", source: "test", flags: ["--port": [], "--hf-overrides": []]),
        ]
        let removed = VLLMArgumentCheck.problems(
            [["--rope-scaling", "{}"], ["--port", "8000"]], version: ReleaseVersion("0.11.1")!, image: "x", tables: tables)
        #expect(removed.map(\.flag) == ["--rope-scaling"])
        #expect(removed.first?.message.contains("no longer accepts --rope-scaling (0.10.0 was the last") == true)
        let early = VLLMArgumentCheck.problems([["--hf-overrides", "{}"]], version: ReleaseVersion("0.10.0")!, image: "x", tables: tables)
        #expect(early.first?.help == "pin vLLM 0.11.1 or later, which accepts it")
    }

    @Test func everyDefaultImageIsPinnedToAVersion() {
        for image in DefaultImages.all {
            #expect(ReleaseVersion(image.tag) != nil, "\(image.reference)")
            #expect(!image.source.isEmpty)
        }
        #expect(DefaultImages.litellm.reference == AppOptions.litellmImage)
    }
}
