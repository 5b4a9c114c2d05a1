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

    /// The step's text and the files it reads.
    func render() -> (text: String, reads: [String]) {
        let members = catalog.members.compactMap { plan.cluster(ofModel: $0) }
        let here = members.filter { cluster in cluster.members.contains { $0.name == node.name } }
        var reads: [String] = []
        var text = ""
        let isHead = node.name == catalog.head
        // The head is in every model of the catalog: its workers are the catalog's other nodes.
        let workers = isHead ? plan.nodes(of: catalog).filter { $0.name != node.name } : []
        if !workers.isEmpty {
            let authorize = SSHGate.authorizeScript
            text += "`scripts/swap.sh` stops and starts the workers' containers over ssh on the LAN, as \(node.user). An ssh key "
            text += "is code execution, and \(node.user) is in the docker group, so root: each worker's `\(authorize)` installs this "
            text += "node's key with `restrict` (no port forwarding to the worker's loopback or DAC, no pty), `from=` this node's "
            text += "address and `command=` the worker's `scripts/ssh-gate-\(node.name).sh`, which runs only the lines swap.sh "
            text += "sends (sshd(8), AUTHORIZED_KEYS FILE FORMAT). The workers have their files already: every node's are copied "
            text += "before any model step. Once (a worker asks for its password the first time; a key an earlier setup installed "
            text += "without the gate is replaced the same way, through that key):\n\n```sh\n"
            text += "[ -e \(node.home)/.ssh/id_ed25519 ] || ssh-keygen -t ed25519 -N '' -f \(node.home)/.ssh/id_ed25519\n"
            for worker in workers {
                guard let target = CatalogEmitter.workerTarget(worker, from: node) else { continue }
                let ssh = "ssh \(CatalogEmitter.sshOptions) \(target)"
                text += "# Installed unless the gated key answers already: the gate refuses 'echo ungated', a key without one runs it.\n"
                text += "if ! \(ssh) true 2>/dev/null || \(ssh) 'echo ungated' >/dev/null 2>&1; then\n"
                text += "  ssh \(target) \(Layout.stackPath(worker, authorize)) \(node.name) < \(node.home)/.ssh/id_ed25519.pub\n"
                text += "fi\n"
                text += "\(ssh) true   # must succeed without a password\n"
                text += "\(ssh) 'echo ungated' || echo gated   # must print the gate's refusal, then: gated\n"
            }
            text += "```\n\n"
        }
        if let panel = catalog.panel, let gate = SSHGate.gates(in: plan, on: node).first(where: { $0.holder == panel.name }) {
            text += "The panel on host \(panel.name) runs commands here over ssh as \(node.user): "
            text += gate.commands.map(\.purpose).joined(separator: ", ")
            text += ". Its key gets `restrict`, `from=\"\(gate.from)\"` and `command=` `\(gate.script)`, which runs those lines and "
            text += "refuses every other, logging both (`journalctl -t spark-gen-gate`). Once, with the key from the panel's "
            text += "Actions → Show Public Key:\n\n```sh\n"
            text += "\(Layout.stackPath(node, SSHGate.authorizeScript)) \(panel.name)   # paste the panel's public key line, then Enter\n"
            text += "```\n\n"
            reads += [gate.scriptPath, Layout.stackPath(node, SSHGate.authorizeScript)]
        }
        if !text.isEmpty { text += "Then:\n\n" }
        text += "```sh\n"
        // The Images step built the derived images.
        for cluster in here {
            if let line = WeightsDownload.line(cluster.weights, on: node) { text += line + "\n" }
            if cluster.isMultiNode, let token = cluster.runtime.rayToken { reads.append(node.absolute(token.file)) }
        }
        let vllm = VLLMEmitter()
        for role in node.clusterRoles where role.cluster.catalog?.name == catalog.name {
            let base = vllm.scriptBase(role, in: node)
            reads += [Layout.stackPath(node, "scripts/\(base).sh"), Layout.stackPath(node, "scripts/\(base)-entrypoint.sh")]
        }
        if isHead {
            let swap = Layout.stackPath(node, CatalogEmitter.swapScript)
            text += "\(swap) \(catalog.active)\n```\n\n"
            reads.append(swap)
            text += "The catalog's models take turns on \(catalog.apiHost):\(catalog.port): `\(swap) MODEL` stops the one that runs "
            text += "(here and on the workers), starts MODEL and waits until its API lists it, up to 30 minutes "
            text += "(`SWAP_TIMEOUT=SECONDS` changes that). A model's first start compiles kernels for 10–20 minutes; each model's "
            text += "Docker volume `vllm-compile-cache-MODEL` keeps the result and makes later starts fast. A model added later must be "
            text += "downloaded before it is swapped in, on every node it runs on: the containers read the cache read-only and never "
            text += "download.\n"
            if let panel = catalog.panel {
                text += "\nThe panel on host \(panel.name) runs the same command over ssh; the output's README.md says how to set it up.\n"
            }
        } else {
            text += "```\n\nNothing starts here: `scripts/swap.sh` on \(catalog.head) starts this node's half of a model "
            text += "when that model is swapped in, and stops it when another is.\n"
        }
        return (text, reads)
    }
}
