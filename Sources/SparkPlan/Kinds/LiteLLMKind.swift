import SparkSpec

/// The owner's LiteLLM proxy: under systemd from the user's site-packages (SystemdEmitter
/// writes the unit), or, with `runner: compose`, a compose service running LiteLLM's image.
struct LiteLLMKind: AppKind {
    let app = App.litellm
    let names = ["LiteLLM"]
    /// Where the container finds the generated config.
    static let configInContainer = "/app/config.yaml"

    func workload(_ context: AppContext) -> Workload? {
        guard let options = context.options, options.runner == .compose, let image = options.image else { return nil }
        let stackDir = context.stackDir
        // The image's entrypoint runs `litellm "$@"`, whose --host defaults to 0.0.0.0 (proxy_cli.py).
        return Workload(
            name: app.containerName, image: image,
            command: ["--config", Self.configInContainer, "--host", context.bind, "--port", context.port],
            environmentFiles: readFiles(context),
            mounts: [.bind("\(stackDir)/\(LiteLLMPlan.configFileName)", at: Self.configInContainer, readOnly: true)],
            // Its database and cache come up first, at a reboot too, instead of LiteLLM failing until they do.
            dependsOn: [App.litellmDB, .redis].filter { context.node.apps.contains($0) }.map(\.containerName), path: options.path)
    }

    /// A compose-run LiteLLM starts in its own step (the gateway's), not with the apps.
    func operations(_ context: AppContext) -> AppOperations {
        var operations = AppOperations()
        if context.options?.runner == .compose { operations.startedElsewhere = [app.containerName] }
        return operations
    }

    /// Behind NGINX, LiteLLM faces the node alone: the tailnet reaches it through NGINX's TLS.
    func exposure(_ context: AppContext) -> Service.Exposure {
        context.node.apps.contains(.nginx) ? .localOnly : .ownerTailnet
    }

    func secrets(_ context: AppContext) -> [SecretPlacement] {
        let group = context.composeReaderGroup
        var placements: [SecretPlacement] = []
        if let master = context.owner.masterKey {
            placements.append(SecretPlacement(secret: master, variables: [master.variable], readers: [app.rawValue], group: group))
        }
        if let salt = context.owner.saltKey {
            placements.append(SecretPlacement(secret: salt, variables: [salt.variable], readers: [app.rawValue], group: group))
        }
        if group != nil, context.node.apps.contains(.litellmDB), let password = context.owner.dbPassword {
            placements.append(SecretPlacement(secret: password, variables: ["DATABASE_URL"], readers: [app.rawValue], group: group))
        }
        return placements
    }

    /// The secret files the container loads, each once, in the order of its secrets.
    private func readFiles(_ context: AppContext) -> [String] {
        var files: [String] = []
        let database = context.node.apps.contains(.litellmDB) ? context.owner.dbPassword : nil
        let cache = context.node.apps.contains(.redis) ? context.owner.redisPassword : nil
        for secret in [context.owner.masterKey, context.owner.saltKey, database, cache] {
            guard let path = secret?.file.absolute(home: context.node.home), !files.contains(path) else { continue }
            files.append(path)
        }
        return files
    }
}
