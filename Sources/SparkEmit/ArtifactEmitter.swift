import SparkPlan

/// Every artifact of a plan, from every emitter, ordered by path.
public enum ArtifactEmitter {
    public static func emit(_ plan: Plan) throws -> [Artifact] {
        let artifacts = try nodeFiles(plan)
        let all = artifacts + RunbookEmitter().artifacts(for: plan, others: artifacts)
        let deploy = AnsibleEmitter().artifacts(for: plan, manifest: DeployManifest.make(plan, artifacts: all))
        let sorted = (all + deploy).sorted { $0.path < $1.path }
        // Every line has an origin: the file's node, tailnet or stack where no block claims it.
        return OriginRecording.isOn ? sorted.map { FileOrigin.adding(to: $0, in: plan) } : sorted
    }

    /// The runbooks' steps and the README's passes over them, for checking the bring-up order.
    public static func bringUp(_ plan: Plan) throws -> BringUp {
        RunbookEmitter().bringUp(for: plan, others: try nodeFiles(plan))
    }

    /// Every artifact but the runbooks and the index, which describe them.
    private static func nodeFiles(_ plan: Plan) throws -> [Artifact] {
        var artifacts: [Artifact] = []
        artifacts += try LiteLLMConfigEmitter().artifacts(for: plan)
        artifacts += SystemdEmitter().artifacts(for: plan)
        artifacts += try ComposeEmitter().artifacts(for: plan)
        artifacts += try VLLMEmitter().artifacts(for: plan)
        artifacts += FirewallEmitter().artifacts(for: plan)
        artifacts += try TailscaleEmitter().artifacts(for: plan)
        artifacts += HostsEmitter().artifacts(for: plan)
        artifacts += NetplanEmitter().artifacts(for: plan)
        artifacts += try SecretsManifestEmitter().artifacts(for: plan)
        artifacts += VerifyEmitter().artifacts(for: plan)
        artifacts += SmokeEmitter().artifacts(for: plan)
        artifacts += WaitReadyEmitter().artifacts(for: plan)
        artifacts += NginxEmitter().artifacts(for: plan)
        artifacts += ConfigFileEmitter().artifacts(for: plan)
        artifacts += try CatalogEmitter().artifacts(for: plan)
        artifacts += try RoutingPolicyEmitter().artifacts(for: plan)
        artifacts += BackendHostEmitter().artifacts(for: plan)
        return artifacts
    }
}
