import SparkSpec

/// Hermes Agent, which its own installer sets up (the runbook says how): no workload, no port.
struct HermesKind: AppKind {
    let app = App.hermes
    let names = ["Hermes"]

    /// Its installer runs before the apps start: Hermes WebUI mounts `~/.hermes`, which it creates.
    func operations(_ context: AppContext) -> AppOperations {
        let home = context.node.home
        var operations = AppOperations()
        operations.step = .init(
            title: "Hermes Agent", intro: "Before the apps: Hermes WebUI mounts `~/.hermes`, which the installer creates.",
            commands: [
                .init("curl -fsSL https://raw.githubusercontent.com/NousResearch/hermes-agent/main/scripts/install.sh | bash"),
                .init(
                    "\(home)/.local/bin/hermes setup   # base URL http://127.0.0.1:\(context.node.port(of: .litellm) ?? App.litellm.port!)/v1, a virtual key of its own"
                ),
                .init("sudo \(home)/.local/bin/hermes gateway install --system"),
            ])
        return operations
    }
}
