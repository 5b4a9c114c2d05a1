import SparkPlan
import SparkSpec

/// The runbook's model steps: one per compose-run model, one per catalog, one per scripted vLLM
/// head or Ray worker, and the page-cache note for GPUs that share memory with the CPU.
extension RunbookEmitter {
    /// Starts the models the node serves or works for.
    func writeModels(_ plan: Plan, _ node: NodePlan, into book: inout RunbookWriter) {
        let compose = Layout.stackPath(node, ComposeEmitter.fileName)
        for role in node.clusterRoles where !role.cluster.isScripted {
            let cluster = role.cluster
            let title = cluster.runtime.kind.title + (cluster.start == .manual ? ", started by hand" : "")
            book.heading("\(Self.modelStepPrefix)\(cluster.name): \(title)", kind: .model)
            let step = ComposeModelStep(node: node, cluster: cluster, compose: compose)
            book.add(step.parts)
            book.reads(step.reads)
        }
        // A catalog's models start by its swap script: one step per catalog, on its head and its workers.
        for catalog in plan.catalogs {
            let serves = node.clusterRoles.contains { $0.cluster.catalog?.name == catalog.name }
            guard serves else { continue }
            let step = CatalogStep(plan: plan, node: node, catalog: catalog)
            book.heading(step.title, kind: .model)
            let content = step.content()
            book.add(content.parts)
            book.reads(content.reads)
        }
        for role in node.clusterRoles where role.cluster.isScripted && role.cluster.catalog == nil {
            let cluster = role.cluster
            let base = VLLMEmitter().scriptBase(role, in: node)
            book.heading("\(Self.modelStepPrefix)\(cluster.name): \(role.kind == .head ? "vLLM head" : "Ray worker")", kind: .model)
            book.reads([Layout.stackPath(node, "scripts/\(base).sh"), Layout.stackPath(node, "scripts/\(base)-entrypoint.sh")])
            if cluster.isMultiNode, let token = cluster.runtime.rayToken { book.reads([node.absolute(token.file)]) }
            var commands: [RunbookCommand] = []
            if let line = WeightsDownload.line(cluster.weights, on: node) { commands.append(RunbookCommand(line)) }
            commands.append(RunbookCommand(Layout.stackPath(node, "scripts/\(base).sh")))
            book.commands(commands)
            if role.kind == .worker {
                book.note("Start this before the head on \(cluster.head.name): the worker retries until the head's Ray is up.")
            } else if cluster.isMultiNode {
                book.note(
                    "Start this after the workers (\(cluster.workers.map(\.name).joined(separator: ", "))). "
                        + "vLLM waits until all \(cluster.tensorParallel * cluster.pipelineParallel) GPUs have joined Ray. "
                        + "The first launch compiles kernels for 10–20 minutes with no log output; the Docker volume `\(VLLMContainer.compileCacheVolume(cluster.name))` keeps the result and makes later starts fast."
                )
            } else {
                book.note("The model runs its upstream image as it is: a single node needs no Ray.")
            }
        }
        // NVIDIA's DGX Spark playbooks: the GPU shares memory with the CPU, and the page cache a
        // large download leaves behind can starve a model that fits.
        if node.hardware.gpuVendor == .nvidia, node.hardware.gpuMemoryGB == nil, node.clusterRoles.contains(where: { $0.kind == .head }) {
            book.note(
                "If a model stops at start with an out-of-memory error although it fits, the page cache (after a large download, say) "
                    + "holds memory the GPU shares with the CPU: flush it, as NVIDIA's DGX Spark playbooks advise, and start the model again:")
            book.commands([RunbookCommand("sudo sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches'")])
        }
    }
}
