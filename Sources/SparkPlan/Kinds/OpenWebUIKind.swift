import SparkSpec

/// Open WebUI, talking to the owner's LiteLLM with a virtual key of its own.
struct OpenWebUIKind: AppKind {
    let app = App.openWebUI
    let names = ["Open WebUI"]

    func workload(_ context: AppContext) -> Workload? {
        Workload(
            name: app.containerName, image: context.image(default: DefaultImages.openWebUI.reference),
            environment: [
                ("HOST", context.bind),
                ("PORT", context.port),
                ("OPENAI_API_BASE_URL", context.litellmURL),
                ("WEBUI_AUTH", "True"),
                ("ENABLE_OLLAMA_API", "False"),
            ],
            // The app's own virtual key; the file defines OPENAI_API_KEY.
            environmentFiles: context.options?.key.map { [$0.file.absolute(home: context.node.home)] } ?? [],
            // Named as the hand-written guide's `docker run -v open-webui:…`, so chat history carries over.
            mounts: [.volume("open-webui", at: "/app/backend/data")], path: context.path)
    }

    /// Without a key in the topology its model list stays empty until someone gives it one.
    /// On a node that replaces the hand-made stack, its saved connection outlives the environment.
    func operations(_ context: AppContext) -> AppOperations {
        var operations = AppOperations()
        operations.fromHandMadeStack = [
            "Open WebUI keeps the connection it saved at its first start and ignores `OPENAI_API_BASE_URL` and "
                + "`OPENAI_API_KEY` after that: in Admin Settings → Connections, set the URL to "
                + "`http://\(PlanResolver.loopback):\(context.node.port(of: .litellm) ?? App.litellm.port!)/v1` and the key to the app's "
                + "virtual key (not the master key)."
        ]
        if context.options?.key == nil {
            operations.notes = [
                "Open WebUI has no key in the topology, so its model list stays empty: give it a virtual key "
                    + "in Admin Settings → Connections, or set `key:` on the app and rebuild."
            ]
        }
        return operations
    }

    /// Its own virtual key, minted from the running LiteLLM by the runbook.
    func secrets(_ context: AppContext) -> [SecretPlacement] {
        guard let key = context.options?.key else { return [] }
        return [SecretPlacement(secret: key, variables: [key.variable], readers: [app.rawValue], source: .virtualKey(app: app.rawValue, models: nil))]
    }
}
