import SparkSpec

/// n8n, with its webhooks addressed by the node's tailnet name.
struct N8nKind: AppKind {
    let app = App.n8n
    let names = ["n8n"]

    func workload(_ context: AppContext) -> Workload? {
        let host = context.node.tailnetHostname
        var environment: [(name: String, value: String)] = [
            ("N8N_LISTEN_ADDRESS", context.bind),
            ("N8N_PORT", context.port),
            ("N8N_HOST", host),
            ("N8N_PROTOCOL", "http"),
            ("WEBHOOK_URL", "http://\(host):\(context.port)/"),
            ("N8N_SECURE_COOKIE", "false"),
            ("NODE_ENV", "production"),
        ]
        if let timezone = context.topology.stack.timezone { environment.append(("GENERIC_TIMEZONE", timezone)) }
        return Workload(
            name: app.containerName, image: context.image(default: DefaultImages.n8n.reference), environment: environment,
            mounts: [.volume("n8n_data", at: "/home/node/.n8n")], path: context.path)
    }
}
