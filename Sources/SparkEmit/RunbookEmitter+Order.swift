import SparkPlan
import SparkSpec

/// The order of a runbook's steps, by kind, with the reason for each place; and the steps that
/// begin and end a runbook (where the node comes from, and where the stack departs from a
/// hand-made one).
extension RunbookEmitter {
    /// The kinds of a node's steps in the order the runbook gives them. Steps of one kind keep
    /// the order their owner wrote them in.
    static func stepOrder(_ node: NodePlan) -> [RunbookStep.Kind] {
        // A node on no LAN is reached over the tailnet once ufw is up, so the tailnet comes
        // before the firewall; on a LAN it comes last, once everything it exposes answers.
        let tailnetFirst = node.lan == nil
        return [
            // Leaving an old stack frees its ports and container names before anything is copied.
            .migration,
            // Every later step reads the files the copy puts in place.
            .copy, .prerequisites,
            // The images come right after the prerequisites: Docker is there, nothing runs yet.
            .images, .hostNames, .secrets,
            // The cluster links' addresses before the firewall that names them and the models
            // that use them.
            .clusterLinks,
        ] + (tailnetFirst ? [.tailnet] : []) + [
            // The firewall goes up before anything listens on a link address.
            .firewall,
            // After the route exists: the operator's machine reaches both ends over ssh under the
            // generated firewall and policy (SC008), and a worker's model needs the Ray token.
            .secretCopies,
            .model,
            // After the models: the other owner's gateway mints the keys in its own late steps.
            .offeredKeys,
            // The gateway calls the models, and the apps call the gateway with their virtual keys.
            .gateway, .virtualKeys,
            // An app's own step (an installer) makes what the apps mount.
            .app, .apps,
        ] + (tailnetFirst ? [] : [.tailnet]) + [
            .verify,
            // The owner takes over a node that works.
            .handover,
            .differences,
        ]
    }

    /// Where the node comes from: a stack set up by hand, or spark-vllm-docker.
    func writeMigration(_ node: NodePlan, fromGuide: Bool, catalogs: [CatalogPlan], into book: inout RunbookWriter) {
        if fromGuide {
            book.heading("Replacing a stack set up by hand", kind: .migration)
            book.add(GuideMigration(node: node).parts())
        }
        if !catalogs.isEmpty {
            book.heading("Coming from spark-vllm-docker", kind: .migration)
            book.note(
                "Skip this on a fresh machine. On a Spark that served models with spark-vllm-docker's `launch-cluster.sh`, "
                    + "stop its container first: it holds the port, the GPU memory and, on the head, Ray's ports.")
            book.commands([RunbookCommand("docker stop \(Self.sparkVLLMDockerContainer) 2>/dev/null || true   # started with --rm: stopping removes it")])
        }
    }

    /// Where the stack departs from the setup the node would otherwise have been made by.
    func writeDifferences(_ plan: Plan, _ node: NodePlan, fromGuide: Bool, catalogs: [CatalogPlan], into book: inout RunbookWriter) {
        if fromGuide {
            book.heading("Where this stack differs from a hand-made one, and why", kind: .differences)
            book.list(differences(plan, node))
        } else if !catalogs.isEmpty {
            book.heading("Where this stack differs from spark-control's own setup, and why", kind: .differences)
            book.list(catalogDifferences(node, catalogs))
        } else {
            book.heading("Where this stack differs from a hand-made one, and why", kind: .differences)
            book.list(composeDifferences(plan, node))
        }
    }
}
