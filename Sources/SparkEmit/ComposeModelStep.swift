import SparkPlan

/// The runbook step of a model that a compose service serves: fetch the weights, start the
/// service and wait until it answers; for a manual-start model, how to switch to it and back.
struct ComposeModelStep {
    let node: NodePlan
    let cluster: ClusterPlan
    /// The node's compose file.
    let compose: String

    /// The files the step reads.
    var reads: [String] {
        guard cluster.serviceName != nil, cluster.workload != nil else { return [] }
        return [compose, Layout.stackPath(node, WaitReadyEmitter.fileName)]
    }

    /// The step's commands and notes.
    var parts: [RunbookPart] {
        guard let service = cluster.serviceName, let workload = cluster.workload else { return [] }
        let model = cluster
        var commands: [RunbookCommand] = []
        let manual = model.start == .manual
        let up = RunbookCommand("docker compose -f \(compose)" + (manual ? " --profile \(Workload.manualProfile)" : "") + " up -d \(service)")
        // Folders the container mounts, made as the user: Docker would create them owned by root.
        let folders = workload.mounts.compactMap(\.hostPath)
        if !folders.isEmpty { commands.append(RunbookCommand("mkdir -p \(folders.joined(separator: " "))")) }
        let weights = cluster.weights
        switch weights.fetch {
        case .huggingFace:
            if let line = WeightsDownload.line(weights, on: node) { commands.append(RunbookCommand(line)) }
            if !manual { commands += [up, wait(seconds: weights.startTimeout)] }
        case .serverPull(let command):
            // The server must be up to pull; a manual one is started for the pull and stopped again.
            commands += [up, wait(seconds: weights.startTimeout)]
            commands.append(RunbookCommand("docker exec \(service) \(command.joined(separator: " "))"))
            if manual { commands.append(RunbookCommand("docker compose -f \(compose) stop \(service)")) }
        }
        var parts: [RunbookPart] = [
            .commands(commands),
            .note(
                "\(model.runtime.kind.title) serves \(model.servedName) on \(cluster.apiHost):\(model.port) "
                    + "(compose service `\(service)`, image `\(cluster.image)`)."),
        ]
        if manual { parts += switching(service: service) }
        return parts
    }

    /// Stops early, with the container's last log lines, when it dies at start.
    private func wait(seconds: Int) -> RunbookCommand {
        .check(WaitReadyEmitter.line(node, container: cluster.serviceName ?? "", url: cluster.readinessURL, seconds: seconds))
    }

    /// How to run a manual-start model: stop the models that start with the stack, then start it.
    private func switching(service: String) -> [RunbookPart] {
        let others = node.workloads.filter { workload in
            !workload.manualStart && node.clusterRoles.contains { $0.kind == .head && $0.cluster.serviceName == workload.name }
        }.map(\.name)
        var commands: [RunbookCommand] = []
        if !others.isEmpty { commands.append(RunbookCommand("docker compose -f \(compose) stop \(others.joined(separator: " "))")) }
        commands.append(RunbookCommand("docker compose -f \(compose) --profile \(Workload.manualProfile) up -d \(service)"))
        commands.append(RunbookCommand("docker compose -f \(compose) stop \(service) && docker compose -f \(compose) up -d"))
        return [
            .note(
                "\(cluster.name) does not start with `docker compose up -d` (compose profile `\(Workload.manualProfile)`): "
                    + "it needs the memory the other models hold. Once the stack is up (not during this first bring-up), to switch to it, and back:"),
            .commands(commands),
            .note(GatewayDifferences.stoppedModel(cluster.servedName)),
        ]
    }
}
