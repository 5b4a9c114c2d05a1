import SparkSpec

/// Hermes WebUI over the Hermes Agent state in the user's home, behind its login.
struct HermesWebUIKind: AppKind {
    let app = App.hermesWebUI
    let names = ["Hermes WebUI"]

    func workload(_ context: AppContext) -> Workload? {
        let node = context.node
        return Workload(
            name: app.containerName, image: context.image(default: DefaultImages.hermesWebUI.reference),
            environment: [
                ("HERMES_WEBUI_HOST", context.bind),
                ("HERMES_WEBUI_PORT", context.port),
                ("WANTED_UID", String(node.uid)),
                ("WANTED_GID", String(node.gid)),
                ("HERMES_WEBUI_STATE_DIR", "/home/hermeswebui/.hermes/webui-mvp"),
            ],
            // The file defines HERMES_WEBUI_PASSWORD, which turns the login on.
            environmentFiles: context.options?.password.map { [$0.file.absolute(home: node.home)] } ?? [],
            mounts: [.bind("\(node.home)/.hermes", at: "/home/hermeswebui/.hermes"), .bind("\(node.home)/workspace", at: "/workspace")], path: context.path)
    }

    /// Its folders exist before it starts, owned by the user: Docker would make them root's.
    /// With a password, verify.sh checks that the API asks for a login.
    func operations(_ context: AppContext) -> AppOperations {
        let node = context.node
        var operations = AppOperations()
        operations.beforeStart = [.init("mkdir -p \(node.home)/.hermes \(node.home)/workspace   # as \(node.user): Docker would create them owned by root")]
        operations.ownCredential = "Hermes WebUI gets a password"
        guard let password = context.options?.password, let port = node.port(of: app) else { return operations }
        operations.notes = ["Hermes WebUI asks for the password in `\(password.file.absolute(home: node.home))` (\(password.variable))."]
        operations.checkSection = "Hermes WebUI"
        // nesquena/hermes-webui api/auth.py: with a password set, every /api/ path but the
        // public ones (auth status, login, health) answers 401 without a session.
        operations.checks = [
            .expect(
                "hermes-webui requires a login (401 without a session)", command: "test \"$(http_status http://\(context.bind):\(port)/api/sessions)\" = 401")
        ]
        return operations
    }

    /// The login password; without it the WebUI is open (SC005).
    func secrets(_ context: AppContext) -> [SecretPlacement] {
        guard let password = context.options?.password else { return [] }
        return [SecretPlacement(secret: password, variables: [password.variable], readers: [app.rawValue])]
    }
}
