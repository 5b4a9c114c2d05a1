import SparkSpec

/// Hermes WebUI over the Hermes Agent state in the user's home, behind its login.
struct HermesWebUIKind: AppKind {
    let app = App.hermesWebUI

    func workload(_ context: AppContext) -> Workload? {
        let node = context.node
        return Workload(
            name: app.containerName, image: "ghcr.io/nesquena/hermes-webui:latest",
            environment: [
                ("HERMES_WEBUI_HOST", context.bind),
                ("HERMES_WEBUI_PORT", context.port),
                ("WANTED_UID", String(node.uid)),
                ("WANTED_GID", String(node.gid)),
                ("HERMES_WEBUI_STATE_DIR", "/home/hermeswebui/.hermes/webui-mvp"),
            ],
            // The file defines HERMES_WEBUI_PASSWORD, which turns the login on.
            environmentFiles: context.options?.password.map { [$0.file.absolute(home: node.home)] } ?? [],
            volumes: ["\(node.home)/.hermes:/home/hermeswebui/.hermes", "\(node.home)/workspace:/workspace"], path: context.path)
    }

    /// The login password; without it the WebUI is open (SC005).
    func secrets(_ context: AppContext) -> [SecretPlacement] {
        guard let password = context.options?.password else { return [] }
        return [SecretPlacement(secret: password, variables: [password.variable], readers: [app.rawValue])]
    }
}
