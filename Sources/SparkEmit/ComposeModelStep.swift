import SparkPlan

/// The runbook step of a model that a compose service serves: fetch the weights, start the
/// service and wait until it answers; for a manual-start model, how to switch to it and back.
struct ComposeModelStep {
    let node: NodePlan
    let cluster: ClusterPlan
    /// The node's compose file.
    let compose: String

    /// The step's commands and notes, and the files it reads.
    func render() -> (text: String, reads: [String]) {
        guard let service = cluster.serviceName, let workload = cluster.workload else { return ("", []) }
        let model = cluster
        var text = "```sh\n"
        let manual = model.start == .manual
        let up = "docker compose -f \(compose)" + (manual ? " --profile \(Workload.manualProfile)" : "") + " up -d \(service)"
        // Folders the container mounts, made as the user: Docker would create them owned by root.
        let folders = workload.mounts.compactMap(\.hostPath)
        if !folders.isEmpty { text += "mkdir -p \(folders.joined(separator: " "))\n" }
        let weights = cluster.weights
        switch weights.fetch {
        case .huggingFace:
            if let line = WeightsDownload.line(weights, on: node) { text += line + "\n" }
            if !manual { text += up + "\n" + wait(seconds: weights.startTimeout) }
        case .serverPull(let command):
            // The server must be up to pull; a manual one is started for the pull and stopped again.
            text += up + "\n" + wait(seconds: weights.startTimeout)
            text += "docker exec \(service) \(command.joined(separator: " "))\n"
            if manual { text += "docker compose -f \(compose) stop \(service)\n" }
        }
        text += "```\n\n"
        text += "\(model.runtime.kind.title) serves \(model.servedName) on \(cluster.apiHost):\(model.port) "
        text += "(compose service `\(service)`, image `\(cluster.image)`).\n"
        if manual { text += "\n" + switching(service: service) }
        return (text, [compose, Layout.stackPath(node, WaitReadyEmitter.fileName)])
    }

    /// Stops early, with the container's last log lines, when it dies at start.
    private func wait(seconds: Int) -> String {
        WaitReadyEmitter.line(node, container: cluster.serviceName ?? "", url: cluster.readinessURL, seconds: seconds) + "\n"
    }

    /// How to run a manual-start model: stop the models that start with the stack, then start it.
    private func switching(service: String) -> String {
        let others = node.workloads.filter { workload in
            !workload.manualStart && node.clusterRoles.contains { $0.kind == .head && $0.cluster.serviceName == workload.name }
        }.map(\.name)
        var text = "\(cluster.name) does not start with `docker compose up -d` (compose profile `\(Workload.manualProfile)`): "
        text += "it needs the memory the other models hold. Once the stack is up (not during this first bring-up), to switch to it, and back:\n\n```sh\n"
        if !others.isEmpty { text += "docker compose -f \(compose) stop \(others.joined(separator: " "))\n" }
        text += "docker compose -f \(compose) --profile \(Workload.manualProfile) up -d \(service)\n"
        text += "docker compose -f \(compose) stop \(service) && docker compose -f \(compose) up -d\n```\n\n"
        text += "While it is stopped LiteLLM answers requests for \(cluster.servedName) with an error; "
        text += "it never sends them to another model.\n"
        return text
    }
}
