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
    ///
    /// With `threads: 2` the emitters run on two threads and `sink` is called from both, so it
    /// must be safe to call at once from two threads. The files are the same either way: each
    /// job's entries go to its own slot and are read back in the order one thread makes them.
    public static func emit(_ plan: Plan, threads: Int = 1, into sink: (Artifact) throws -> Void) throws {
        // Origins are recorded per task (a task-local value another thread does not see).
        let recording = OriginRecording.isOn
        let threads = recording ? 1 : threads
        func deliver(_ artifact: Artifact) throws {
            try sink(recording ? FileOrigin.adding(to: artifact, in: plan) : artifact)
        }
        let runbooks = RunbookEmitter()
        // First the node files, an emitter a job; the largest (verify.sh, compose, Tailscale)
        // start first, so the small ones even out the two threads at the end.
        let emitters = nodeEmitters
        let order = emitters.indices.filter { emitters[$0].large } + emitters.indices.filter { !emitters[$0].large }
        let made = try ParallelJobs.run(emitters.count, threads: threads, order: order) { index -> [Artifact.Entry] in
            var entries: [Artifact.Entry] = []
            try emitters[index].emit(plan) { artifact in
                entries.append(artifact.entry)
                try deliver(artifact)
            }
            return entries
        }
        var entries = Array(made.joined())
        // Then the runbooks, which list the node files, beside the deploy manifest and the
        // playbook, which list every file: the runbooks' entries are known before their bytes
        // (a path and a mode each, checked against each runbook as it is made). The playbook is
        // the largest job, the README the next, so they go first; then the runbooks in runs.
        let inputs = RunbookEmitter.Inputs(others: entries)
        let runbookEntries = plan.nodes.map { RunbookEmitter.runbookEntry($0) } + [RunbookEmitter.readmeEntry]
        entries += runbookEntries
        let chunks = chunked(plan.nodes.count, into: 16)
        _ = try ParallelJobs.run(chunks.count + 2, threads: threads) { index in
            switch index {
            case 0:
                let manifest = DeployManifest.make(plan, artifacts: entries)
                for artifact in AnsibleEmitter().artifacts(for: plan, manifest: manifest) { try deliver(artifact) }
            case 1:
                try deliver(checked(runbooks.readme(plan), runbookEntries[plan.nodes.count]))
            default:
                for position in chunks[index - 2] {
                    try deliver(checked(runbooks.runbook(plan, plan.nodes[position], inputs: inputs), runbookEntries[position]))
                }
            }
        }
    }

    /// `artifact`, when its path and mode are those the deploy manifest was given.
    private static func checked(_ artifact: Artifact, _ entry: Artifact.Entry) throws -> Artifact {
        guard artifact.entry == entry else { throw Mismatch(path: artifact.path) }
        return artifact
    }

    /// A runbook whose path or mode is not the one the deploy manifest was given.
    struct Mismatch: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) is not the runbook the deploy manifest lists" }
    }

    /// `0 ..< count` in at most `parts` runs of consecutive indices.
    private static func chunked(_ count: Int, into parts: Int) -> [Range<Int>] {
        let size = max(1, (count + parts - 1) / parts)
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
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
        for emitter in nodeEmitters { try emitter.emit(plan, sink) }
    }

    /// One emitter of node files, handing them to a sink; `large` where it makes a large share
    /// of the node files' instructions (verify.sh, compose and Tailscale: about 60% on the `all`
    /// fleet, callgrind), so a build starts it first.
    private struct NodeEmitter: Sendable {
        var large = false
        let emit: @Sendable (Plan, (Artifact) throws -> Void) throws -> Void
    }

    /// The emitters of every artifact but the runbooks and the index, in the order their
    /// entries reach the runbooks and the deploy manifest.
    private static let nodeEmitters: [NodeEmitter] = [
        .init(emit: { plan, sink in for artifact in try LiteLLMConfigEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in SystemdEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(large: true, emit: { plan, sink in for artifact in try ComposeEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in try VLLMEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in FirewallEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(large: true, emit: { plan, sink in for artifact in try TailscaleEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in HostsEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in NetplanEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in try SecretsManifestEmitter().artifacts(for: plan) { try sink(artifact) } }),
        // verify.sh node by node: two emitters run at once, and a fleet's are 30 MB.
        .init(large: true, emit: { plan, sink in for node in plan.nodes { try sink(VerifyEmitter().artifact(for: plan, node: node)) } }),
        .init(emit: { plan, sink in for artifact in SmokeEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in WaitReadyEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in NginxEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in ConfigFileEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in try CatalogEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in try RoutingPolicyEmitter().artifacts(for: plan) { try sink(artifact) } }),
        .init(emit: { plan, sink in for artifact in BackendHostEmitter().artifacts(for: plan) { try sink(artifact) } }),
    ]
}
