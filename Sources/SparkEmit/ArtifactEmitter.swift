import SparkPlan

/// Every artifact of a plan, from every emitter, ordered by path.
public enum ArtifactEmitter {
    public static func emit(_ plan: Plan) throws -> [Artifact] {
        var artifacts: [Artifact] = []
        artifacts += try LiteLLMConfigEmitter().artifacts(for: plan)
        artifacts += SystemdEmitter().artifacts(for: plan)
        artifacts += try ComposeEmitter().artifacts(for: plan)
        artifacts += try VLLMEmitter().artifacts(for: plan)
        artifacts += FirewallEmitter().artifacts(for: plan)
        artifacts += try TailscaleEmitter().artifacts(for: plan)
        artifacts += HostsEmitter().artifacts(for: plan)
        artifacts += try SecretsManifestEmitter().artifacts(for: plan)
        artifacts += VerifyEmitter().artifacts(for: plan)
        artifacts += RunbookEmitter().artifacts(for: plan, others: artifacts)
        return artifacts.sorted { $0.path < $1.path }
    }
}
