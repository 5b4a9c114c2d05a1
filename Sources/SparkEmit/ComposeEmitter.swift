import SparkPlan
import SparkSpec
import SparkYAML

/// `compose.yaml` for each node's containerised apps.
///
/// Every service uses the host network and binds 127.0.0.1: a Docker-published port is
/// DNAT'ed before ufw's INPUT chain sees it, so `-p 8080:8080` would open the app to the
/// mgmt LAN whatever the firewall says. With no published ports nothing bypasses ufw, and no
/// Docker Engine version (before or after 28's loopback hardening) matters.
struct ComposeEmitter {
    static let fileName = "compose.yaml"

    static let images: [App: String] = [
        .litellmDB: "postgres:16",
        .openWebUI: "ghcr.io/open-webui/open-webui:main",
        .n8n: "n8nio/n8n:latest",
        .hermesWebUI: "ghcr.io/nesquena/hermes-webui:latest",
    ]

    /// Password authentication for socket and TCP connections from the first start of the database.
    static let initdbArguments = "--auth-local=scram-sha-256 --auth-host=scram-sha-256"

    /// Named volumes with names of their own, independent of the compose project (the directory):
    /// the hand-written guide's `docker run -v open-webui:…` volumes are reused, chat history included.
    static let volumeNames: [App: String] = [.litellmDB: "litellm_db", .openWebUI: "open-webui", .n8n: "n8n_data"]

    /// The container of an app: its name, as the hand-written guide named them.
    static func containerName(_ app: App) -> String { app.rawValue }

    func artifacts(for plan: Plan) throws -> [Artifact] {
        try plan.nodes.compactMap { node in
            let apps = node.node.apps.filter { Self.images[$0] != nil }
            guard !apps.isEmpty else { return nil }
            let header = Header(plan, node: node.name, about: [
                "Apps of owner '\(node.owner.name)'. Host network, loopback listeners, no published ports:",
                "tailnet users reach them through 'tailscale serve' (scripts/tailscale-up.sh).",
                "Start: docker compose -f \(Layout.stackPath(node, Self.fileName)) up -d",
            ])
            var services: [(String, YAMLValue)] = []
            var volumes: [(String, YAMLValue)] = []
            for app in apps {
                let (service, named) = self.service(app, node: node, plan: plan)
                services.append((app.rawValue, service))
                volumes += named.map { ($0, .mapping([("name", .string($0))])) }
            }
            var document: [(String, YAMLValue)] = [("services", .mapping(services))]
            if !volumes.isEmpty { document.append(("volumes", .mapping(volumes))) }
            let body = try YAMLEmitter.emit(.mapping(document))
            // It names the secret files the containers load: readable by the stack's user only.
            return Artifact(path: Layout.stackFile(node, Self.fileName), contents: header.comment() + body, mode: .privateFile)
        }
    }

    /// The LiteLLM an app calls: its own node's on loopback, or another node's by tailnet name.
    func litellmURL(for options: AppOptions?, on node: NodePlan, plan: Plan) -> String {
        guard let target = options?.litellm, target != node.name, let other = plan.node(named: target) else {
            return "http://\(PlanResolver.loopback):\(node.node.port(of: .litellm) ?? App.litellm.port!)/v1"
        }
        return "http://\(other.node.tailnetHostname):\(other.node.port(of: .litellm) ?? App.litellm.port!)/v1"
    }

    /// The service definition and the named volumes it uses.
    private func service(_ app: App, node: NodePlan, plan: Plan) -> (YAMLValue, [String]) {
        let loopback = PlanResolver.loopback
        let options = node.node.appOptions[app]
        let bind = options?.listen?.description ?? loopback
        let port = node.node.port(of: app).map(String.init) ?? ""
        var fields: [(String, YAMLValue)] = [
            ("image", .string(Self.images[app]!)),
            ("container_name", .string(Self.containerName(app))),
            ("restart", "unless-stopped"),
            ("network_mode", "host"),
        ]
        var environment: [(String, YAMLValue)] = []
        var volumes: [String] = []
        var named: [String] = []
        switch app {
        case .litellmDB:
            fields.append(("command", .sequence(["postgres", "-c", .string("listen_addresses=\(bind)"), "-c", .string("port=\(port)")])))
            environment = [
                ("POSTGRES_USER", .string(LiteLLMPlan.Database.user)),
                ("POSTGRES_DB", .string(LiteLLMPlan.Database.name)),
                // Without these, initdb writes 'trust' for local and 127.0.0.1 connections ahead of the
                // entrypoint's password line (first match wins): with the host network, every process
                // on the node would be superuser without a password. A volume initialised earlier keeps
                // its pg_hba.conf: RUNBOOK.md says how to fix it. (docker-library/postgres
                // 16/bookworm docker-entrypoint.sh: initdb with POSTGRES_INITDB_ARGS, then
                // pg_setup_hba_conf appends 'host all all all scram-sha-256'.)
                ("POSTGRES_INITDB_ARGS", .string(Self.initdbArguments)),
            ]
            if let file = node.secretFiles.first(where: { $0.readers.contains(app.rawValue) }) {
                fields.append(("env_file", .sequence([.string(file.path)])))
            }
            volumes = ["\(Self.volumeNames[app]!):/var/lib/postgresql/data"]
            named = [Self.volumeNames[app]!]
        case .openWebUI:
            environment = [
                ("HOST", .string(bind)),
                ("PORT", .string(port)),
                ("OPENAI_API_BASE_URL", .string(litellmURL(for: options, on: node, plan: plan))),
                ("WEBUI_AUTH", "True"),
                ("ENABLE_OLLAMA_API", "False"),
            ]
            if let key = options?.key {
                // The app's own virtual key; the file defines OPENAI_API_KEY.
                fields.append(("env_file", .sequence([.string(node.absolute(key.file))])))
            }
            volumes = ["\(Self.volumeNames[app]!):/app/backend/data"]
            named = [Self.volumeNames[app]!]
        case .n8n:
            environment = [
                ("N8N_LISTEN_ADDRESS", .string(bind)),
                ("N8N_PORT", .string(port)),
                ("N8N_HOST", .string(node.node.tailnetHostname)),
                ("N8N_PROTOCOL", "http"),
                ("WEBHOOK_URL", .string("http://\(node.node.tailnetHostname):\(port)/")),
                ("N8N_SECURE_COOKIE", "false"),
                ("NODE_ENV", "production"),
            ]
            if let timezone = plan.topology.stack.timezone {
                environment.append(("GENERIC_TIMEZONE", .string(timezone)))
            }
            volumes = ["\(Self.volumeNames[app]!):/home/node/.n8n"]
            named = [Self.volumeNames[app]!]
        case .hermesWebUI:
            environment = [
                ("HERMES_WEBUI_HOST", .string(bind)),
                ("HERMES_WEBUI_PORT", .string(port)),
                ("WANTED_UID", .string(String(node.node.uid))),
                ("WANTED_GID", .string(String(node.node.gid))),
                ("HERMES_WEBUI_STATE_DIR", "/home/hermeswebui/.hermes/webui-mvp"),
            ]
            if let password = options?.password {
                // The file defines HERMES_WEBUI_PASSWORD, which turns the login on.
                fields.append(("env_file", .sequence([.string(node.absolute(password.file))])))
            }
            volumes = ["\(node.home)/.hermes:/home/hermeswebui/.hermes", "\(node.home)/workspace:/workspace"]
        case .litellm, .hermes:
            break
        }
        if !environment.isEmpty { fields.append(("environment", .mapping(environment))) }
        if !volumes.isEmpty { fields.append(("volumes", .sequence(volumes.map { .string($0) }))) }
        return (.mapping(fields), named)
    }
}
