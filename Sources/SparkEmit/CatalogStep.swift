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
            let targets = workers.compactMap { CatalogEmitter.workerTarget($0, from: node) }
            text += "`scripts/swap.sh` stops and starts the workers' containers over ssh on the LAN, as \(node.user). "
            text += "Give it a key they accept, once (the worker asks for its password this one time):\n\n```sh\n"
            text += "[ -e \(node.home)/.ssh/id_ed25519 ] || ssh-keygen -t ed25519 -N '' -f \(node.home)/.ssh/id_ed25519\n"
            for target in targets {
                text += "ssh-copy-id -i \(node.home)/.ssh/id_ed25519.pub \(target)\n"
                text += "ssh \(CatalogEmitter.sshOptions) \(target) true   # must succeed without a password\n"
            }
            text += "```\n\nThen:\n\n"
        }
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
            text += "(`SWAP_TIMEOUT=SECONDS` changes that). A model's first start compiles kernels for 10–20 minutes; the cache in "
            text += "`vllm-compile-cache/` makes later starts fast. A model downloaded later must be downloaded before it is swapped in, "
            text += "on every node it runs on.\n"
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
