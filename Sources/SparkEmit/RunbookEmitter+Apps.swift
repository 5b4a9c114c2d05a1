import SparkPlan
import SparkSpec

/// The runbook's app steps: each app's own step, then starting the compose-run apps with the
/// operations around the start and the apps' notes.
extension RunbookEmitter {
    /// The steps of the node's apps (models and the gateway have their own).
    func writeApps(_ node: NodePlan, into book: inout RunbookWriter) {
        let compose = Layout.stackPath(node, ComposeEmitter.fileName)
        for step in node.operations.compactMap(\.step) {
            book.heading(step.title, kind: .app)
            book.text += step.intro + "\n\n```sh\n"
            for command in step.commands { book.run(command) }
            book.text += "```\n"
        }

        // Models have steps of their own, and so have the services an app's own lines start.
        let elsewhere = Set(node.clusterRoles.compactMap(\.cluster.serviceName) + node.operations.flatMap(\.startedElsewhere))
        let composeApps = node.workloads.filter { $0.runner == .compose && !elsewhere.contains($0.name) }
        if !composeApps.isEmpty {
            book.heading("Apps", kind: .apps)
            book.text += "```sh\n"
            book.reads([compose] + composeApps.flatMap(\.environmentFiles))
            for command in Self.distinct(node.operations.flatMap(\.beforeStart)) { book.run(command) }
            book.text += "docker compose -f \(compose) up -d\n"
            for command in Self.distinct(node.operations.flatMap(\.afterStart)) { book.run(command) }
            book.text += "```\n"
            // Two apps of one kind (two NIMs) share their notes.
            var said = Set<String>()
            for note in node.operations.flatMap(\.notes) where said.insert(note).inserted { book.text += "\n\(note)\n" }
        }
    }
}
