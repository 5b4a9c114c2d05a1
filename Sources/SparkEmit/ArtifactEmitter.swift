import SparkPlan

/// Every artifact of a plan, from every emitter.
public enum ArtifactEmitter {
    /// Every artifact, ordered by path.
    public static func emit(_ plan: Plan) throws -> [Artifact] {
        var artifacts: [Artifact] = []
        try emit(plan) { artifacts.append($0) }
        return artifacts.sorted { $0.path < $1.path }
    }

    /// Hands each artifact to `sink` as soon as its emitter has made it, in no particular order.
    /// Only paths and modes are kept for the runbooks and the deploy manifest, which list the
    /// files; the bytes are the sink's. A fleet's tree is hundreds of megabytes: holding all of
    /// it until the end was most of a build's peak memory.
    public static func emit(_ plan: Plan, into sink: (Artifact) throws -> Void) throws {
        var entries: [Artifact.Entry] = []
        // Every line has an origin: the file's node, tailnet or stack where no block claims it.
        let recording = OriginRecording.isOn
        func deliver(_ artifact: Artifact) throws {
            try sink(recording ? FileOrigin.adding(to: artifact, in: plan) : artifact)
        }
        func pass(_ artifact: Artifact) throws {
            entries.append(artifact.entry)
            try deliver(artifact)
        }
        try nodeFiles(plan, into: pass)
        try RunbookEmitter().emit(for: plan, others: entries, into: pass)
        let manifest = DeployManifest.make(plan, artifacts: entries)
        for artifact in AnsibleEmitter().artifacts(for: plan, manifest: manifest) { try deliver(artifact) }
    }

    /// The runbooks' steps and the README's passes over them, for checking the bring-up order.
    public static func bringUp(_ plan: Plan) throws -> BringUp {
        var entries: [Artifact.Entry] = []
        try nodeFiles(plan) { entries.append($0.entry) }
        return RunbookEmitter().bringUp(for: plan, others: entries)
    }

    /// Every artifact but the runbooks and the index, which describe them; each emitter's files
    /// go to `sink` before the next emitter starts.
    private static func nodeFiles(_ plan: Plan, into sink: (Artifact) throws -> Void) throws {
        func pass(_ artifacts: [Artifact]) throws { for artifact in artifacts { try sink(artifact) } }
        try pass(LiteLLMConfigEmitter().artifacts(for: plan))
        try pass(SystemdEmitter().artifacts(for: plan))
        try pass(ComposeEmitter().artifacts(for: plan))
        try pass(VLLMEmitter().artifacts(for: plan))
        try pass(FirewallEmitter().artifacts(for: plan))
        try pass(TailscaleEmitter().artifacts(for: plan))
        try pass(HostsEmitter().artifacts(for: plan))
        try pass(NetplanEmitter().artifacts(for: plan))
        try pass(SecretsManifestEmitter().artifacts(for: plan))
        try pass(VerifyEmitter().artifacts(for: plan))
        try pass(SmokeEmitter().artifacts(for: plan))
        try pass(WaitReadyEmitter().artifacts(for: plan))
        try pass(NginxEmitter().artifacts(for: plan))
        try pass(ConfigFileEmitter().artifacts(for: plan))
        try pass(CatalogEmitter().artifacts(for: plan))
        try pass(RoutingPolicyEmitter().artifacts(for: plan))
        try pass(BackendHostEmitter().artifacts(for: plan))
    }
}
