import SparkPlan

/// `litellm.service` and its `override.conf` drop-in for each node that runs LiteLLM.
struct SystemdEmitter {
    /// What sets the python3 version the node must run, in other owners' sentences: the unit
    /// puts the user's site-packages of that version on the gateway's PYTHONPATH.
    static let pythonPathHolder = "the LiteLLM unit's PYTHONPATH"

    func artifacts(for plan: Plan) -> [Artifact] {
        plan.nodes.flatMap { node -> [Artifact] in
            guard let litellm = node.litellm, litellm.container == nil else { return [] }
            return [
                // The unit names the secret files (EnvironmentFile=): root-readable only.
                Artifact(path: Layout.nodeFile(node, Layout.litellmUnit), contents: unit(plan, node, litellm), mode: .privateFile)
                    .marked { marks in mark(&marks, node, litellm) },
                Artifact(path: Layout.nodeFile(node, Layout.litellmDropIn), contents: dropIn(plan, node)),
            ]
        }
    }

    private func unit(_ plan: Plan, _ node: NodePlan, _ litellm: LiteLLMPlan) -> String {
        let header = Header(
            plan, node: node.name,
            about: [
                "LiteLLM listens on \(litellm.bindAddress) only; tailnet users reach it through",
                "'tailscale serve' (scripts/tailscale-up.sh), which the tailnet policy governs.",
            ])
        let config = Layout.stackPath(node, LiteLLMConfigEmitter.fileName)
        var lines = [
            "[Unit]",
            "Description=LiteLLM proxy of owner \(node.owner.name) (spark-gen)",
            "After=network-online.target docker.service",
            "Wants=network-online.target",
            "",
            "[Service]",
            "Type=simple",
            "User=\(node.user)",
            "WorkingDirectory=\(node.stackDir)",
        ]
        // Secret files hold KEY=value lines (mode 0600); systemd reads them as root before dropping privileges.
        for file in node.secretFiles where file.readers.contains("litellm") {
            lines.append("EnvironmentFile=\(file.path)")
        }
        lines += [
            "ExecStart=\(node.home)/.local/bin/litellm --config \(config) --host \(litellm.listenAddress) --port \(litellm.port)",
            "Restart=on-failure",
            "RestartSec=5",
            "NoNewPrivileges=true",
            "PrivateTmp=true",
            "ProtectSystem=full",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
        ]
        return header.comment() + lines.joined(separator: "\n") + "\n"
    }

    /// The unit's owner, each secret file from the secret that names it, the command from the listener.
    private func mark(_ marks: inout OriginMarks, _ node: NodePlan, _ litellm: LiteLLMPlan) {
        marks.line("Description=", [node.owner.path])
        let secrets = [litellm.masterKey] + [litellm.database?.password, litellm.cache?.password].compactMap { $0 }
        for file in node.secretFiles where file.readers.contains("litellm") {
            let paths = secrets.filter { node.absolute($0.file) == file.path }.map(\.path)
            marks.line("EnvironmentFile=\(file.path)", paths.isEmpty ? [node.owner.path] : paths)
        }
        marks.line("ExecStart=", node.services.filter { $0.role == .app("litellm") }.map(\.path))
    }

    private func dropIn(_ plan: Plan, _ node: NodePlan) -> String {
        let header = Header(
            plan, node: node.name,
            about: [
                "Replaces any older drop-in: a stale STORE_MODEL_IN_DB or DATABASE_URL left here made",
                "LiteLLM fail at start with httpx.ConnectError. The topology is the only source of settings.",
            ])
        let lines = [
            "[Service]",
            "UnsetEnvironment=STORE_MODEL_IN_DB",
            "Environment=PYTHONPATH=\(node.home)/.local/lib/python\(node.python)/site-packages",
        ]
        return header.comment() + lines.joined(separator: "\n") + "\n"
    }
}
