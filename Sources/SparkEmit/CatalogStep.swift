import SparkPlan

/// The runbook step of a catalog on one of its nodes. On the head: let the swap reach the
/// workers by ssh, download what the models need, and swap the active model in. On a worker:
/// download only; the head's swap starts and stops its containers. The Images step built
/// the images.
struct CatalogStep {
    let plan: Plan
    let node: NodePlan
    let catalog: CatalogPlan

    var title: String {
        let members = catalog.members.compactMap { plan.cluster(ofModel: $0) }
        if node.name == catalog.head {
            return "\(RunbookEmitter.modelStepPrefix)catalog \(catalog.name): \(members.count) models, \(catalog.active) active"
        }
        let own = members.filter { $0.workers.contains { $0.name == node.name } }.map(\.name)
        return "\(RunbookEmitter.modelStepPrefix)catalog \(catalog.name): Ray worker of \(own.joined(separator: ", "))"
    }

    /// The step's notes and commands, and the files it reads.
    func content() -> (parts: [RunbookPart], reads: [String]) {
        let members = catalog.members.compactMap { plan.cluster(ofModel: $0) }
        let here = members.filter { cluster in cluster.members.contains { $0.name == node.name } }
        var reads: [String] = []
        var parts: [RunbookPart] = []
        let isHead = node.name == catalog.head
        // The head is in every model of the catalog: its workers are the catalog's other nodes.
        let workers = isHead ? plan.nodes(of: catalog).filter { $0.name != node.name } : []
        if !workers.isEmpty {
            let authorize = SSHGate.authorizeScript
            parts.append(
                .note(
                    "`scripts/swap.sh` stops and starts the workers' containers over ssh on the LAN, as \(node.user). An ssh key "
                        + "is code execution, and \(node.user) is in the docker group, so root: each worker's `\(authorize)` installs this "
                        + "node's key with `restrict` (no port forwarding to the worker's loopback or DAC, no pty), `from=` this node's "
                        + "address and `command=` the worker's `scripts/ssh-gate-\(node.name).sh`, which runs only the lines swap.sh "
                        + "sends (sshd(8), AUTHORIZED_KEYS FILE FORMAT). The workers have their files already: every node's are copied "
                        + "before any model step. Once (a worker asks for its password the first time; a key an earlier setup installed "
                        + "without the gate is replaced the same way, through that key):"))
            var commands = [RunbookCommand("[ -e \(node.home)/.ssh/id_ed25519 ] || ssh-keygen -t ed25519 -N '' -f \(node.home)/.ssh/id_ed25519")]
            for worker in workers {
                guard let target = CatalogEmitter.workerTarget(worker, from: node) else { continue }
                let ssh = "ssh \(CatalogEmitter.sshOptions) \(target)"
                commands.append(
                    RunbookCommand(
                        "# Installed unless the gated key answers already: the gate refuses 'echo ungated', a key without one runs it.\n"
                            + "if ! \(ssh) true 2>/dev/null || \(ssh) 'echo ungated' >/dev/null 2>&1; then\n"
                            + "  ssh \(target) \(Layout.stackPath(worker, authorize)) \(node.name) < \(node.home)/.ssh/id_ed25519.pub\n"
                            + "fi"))
                commands.append(.check("\(ssh) true   # must succeed without a password"))
                commands.append(.check("\(ssh) 'echo ungated' || echo gated   # must print the gate's refusal, then: gated"))
            }
            parts.append(.commands(commands))
        }
        if let panel = catalog.panel, let gate = SSHGate.gates(in: plan, on: node).first(where: { $0.holder == panel.name }) {
            parts.append(
                .note(
                    "The panel on host \(panel.name) runs commands here over ssh as \(node.user): "
                        + gate.commands.map(\.purpose).joined(separator: ", ")
                        + ". Its key gets `restrict`, `from=\"\(gate.from)\"` and `command=` `\(gate.script)`, which runs those lines and "
                        + "refuses every other, logging both (`journalctl -t spark-gen-gate`). Once, with the key from the panel's "
                        + "Actions → Show Public Key:"))
            parts.append(
                .commands([RunbookCommand("\(Layout.stackPath(node, SSHGate.authorizeScript)) \(panel.name)   # paste the panel's public key line, then Enter")]
                ))
            reads += [gate.scriptPath, Layout.stackPath(node, SSHGate.authorizeScript)]
        }
        if !parts.isEmpty { parts.append(.note("Then:")) }
        var commands: [RunbookCommand] = []
        // The Images step built the derived images.
        for cluster in here {
            if let line = WeightsDownload.line(cluster.weights, on: node) { commands.append(RunbookCommand(line)) }
            if cluster.isMultiNode, let token = cluster.runtime.rayToken { reads.append(node.absolute(token.file)) }
        }
        let vllm = VLLMEmitter()
        for role in node.clusterRoles where role.cluster.catalog?.name == catalog.name {
            let base = vllm.scriptBase(role, in: node)
            reads += [Layout.stackPath(node, "scripts/\(base).sh"), Layout.stackPath(node, "scripts/\(base)-entrypoint.sh")]
        }
        if isHead {
            let swap = Layout.stackPath(node, CatalogEmitter.swapScript)
            commands.append(RunbookCommand("\(swap) \(catalog.active)"))
            parts.append(.commands(commands))
            reads.append(swap)
            parts.append(
                .note(
                    "The catalog's models take turns on \(catalog.apiHost):\(catalog.port): `\(swap) MODEL` stops the one that runs "
                        + "(here and on the workers), starts MODEL and waits until its API lists it, up to 30 minutes "
                        + "(`SWAP_TIMEOUT=SECONDS` changes that). A model's first start compiles kernels for 10–20 minutes; each model's "
                        + "Docker volume `vllm-compile-cache-MODEL` keeps the result and makes later starts fast. A model added later must be "
                        + "downloaded before it is swapped in, on every node it runs on: the containers read the cache read-only and never "
                        + "download."))
            if let panel = catalog.panel {
                parts.append(.note("The panel on host \(panel.name) runs the same command over ssh; the output's README.md says how to set it up."))
            }
        } else {
            parts.append(.commands(commands))
            parts.append(
                .note(
                    "Nothing starts here: `scripts/swap.sh` on \(catalog.head) starts this node's half of a model "
                        + "when that model is swapped in, and stops it when another is."))
        }
        return (parts, reads)
    }
}
