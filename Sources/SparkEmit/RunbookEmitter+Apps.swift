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
            book.note(step.intro)
            book.commands(step.commands.map { RunbookCommand($0) })
        }

        // Models have steps of their own, and so have the services an app's own lines start.
        let elsewhere = Set(node.clusterRoles.compactMap(\.cluster.serviceName) + node.operations.flatMap(\.startedElsewhere))
        let composeApps = node.workloads.filter { $0.runner == .compose && !elsewhere.contains($0.name) }
        if !composeApps.isEmpty {
            book.heading("Apps", kind: .apps)
            book.reads([compose] + composeApps.flatMap(\.environmentFiles))
            // Waiting until an app answers is the check of its start.
            book.commands(
                Self.distinct(node.operations.flatMap(\.beforeStart)).map { RunbookCommand($0) }
                    + [RunbookCommand("docker compose -f \(compose) up -d")]
                    + Self.distinct(node.operations.flatMap(\.afterStart)).map { RunbookCommand($0, role: .check) })
            // Two apps of one kind (two NIMs) share their notes.
            var said = Set<String>()
            for note in node.operations.flatMap(\.notes) where said.insert(note).inserted { book.note(note) }
        }
    }
}
