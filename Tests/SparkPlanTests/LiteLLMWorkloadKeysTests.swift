import SparkDiagnostics
import SparkSpec
import Testing

@testable import SparkPlan

/// A compose-run LiteLLM is given every secret file it reads (the keys of the models it calls
/// on the tailnet included); adding those files changes nothing else about its workload.
@Suite struct LiteLLMWorkloadKeysTests {
    private static let ownKeys = "/home/me/.config/spark/litellm.env"
    private static let tailnetKey = "/home/me/.config/spark/vllm-key.env"

    /// A LiteLLM workload with every field set away from its default.
    private static var litellm: Workload {
        var workload = Workload(
            name: App.litellm.containerName, image: "ghcr.io/berriai/litellm:main-stable", command: ["--port", "4000"],
            environment: [(name: "PORT", value: "4000")], environmentFiles: [ownKeys],
            mounts: [.bind("/srv/config.yaml", at: "/app/config.yaml", readOnly: true)],
            entrypoint: ["litellm"], gpus: .nvidia, gpuIDs: [0], hostIPC: true, manualStart: true, dependsOn: ["litellm-db"],
            healthcheck: ["CMD", "curl", "-f", "http://127.0.0.1:4000/health/liveliness"], path: SpecPath.root / "nodes" / "box")
        workload.gpuUUIDs = ["GPU-00000000-0000-0000-0000-000000000000"]
        workload.capabilities = ["CHOWN"]
        workload.noNewPrivileges = true
        return workload
    }

    private static let secrets = [
        SecretFile(path: ownKeys, variables: ["LITELLM_MASTER_KEY"], readers: ["litellm"], source: .generated),
        SecretFile(path: tailnetKey, variables: ["VLLM_API_KEY"], readers: ["litellm"], source: .generated),
        SecretFile(path: "/home/me/.config/spark/ray.env", variables: ["RAY_TOKEN"], readers: ["ray"], source: .generated),
    ]

    @Test func addsTheMissingKeyFilesOnly() {
        let loaded = PlanResolver.loadingEveryKey(Self.litellm, Self.secrets)
        #expect(loaded.environmentFiles == [Self.ownKeys, Self.tailnetKey])
    }

    /// Rebuilding the workload field by field once dropped the healthcheck (and the fields set
    /// after init: GPU UUIDs, capabilities, no-new-privileges).
    @Test func keepsEveryOtherField() {
        let original = Self.litellm
        let loaded = PlanResolver.loadingEveryKey(original, Self.secrets)
        #expect(loaded.healthcheck == original.healthcheck)
        #expect(loaded.gpuUUIDs == original.gpuUUIDs)
        #expect(loaded.capabilities == original.capabilities)
        #expect(loaded.noNewPrivileges)
        #expect(loaded.name == original.name && loaded.image == original.image && loaded.runner == original.runner)
        #expect(loaded.command == original.command && loaded.mounts == original.mounts && loaded.entrypoint == original.entrypoint)
        #expect(loaded.environment.map(\.name) == ["PORT"] && loaded.environment.map(\.value) == ["4000"])
        #expect(loaded.gpus == original.gpus && loaded.gpuIDs == original.gpuIDs && loaded.hostIPC && loaded.manualStart)
        #expect(loaded.dependsOn == original.dependsOn && loaded.path == original.path)
    }

    @Test func leavesOtherWorkloadsAlone() {
        let other = Workload(name: "open-webui", image: "ghcr.io/open-webui/open-webui:main", path: .root)
        #expect(PlanResolver.loadingEveryKey(other, Self.secrets).environmentFiles.isEmpty)
    }
}
