import SparkSpec

/// Redis as LiteLLM's response cache: loopback only, a password from a secret file, nothing
/// kept on disk (a cache that is lost on restart costs only repeated work).
struct RedisKind: AppKind {
    let app = App.redis
    let names = ["Redis"]

    func workload(_ context: AppContext) -> Workload? {
        // The image's own default binds every address with protected-mode off
        // (docker-library/redis Dockerfile), so the bind is always given. The password goes in
        // on stdin (`redis-server -` reads its config there, src/server.c), so no command line,
        // `ps` or `docker inspect` shows it; docker-entrypoint.sh still drops to the redis user.
        // `$$` is compose's escape for a literal `$`.
        let script =
            "printf 'requirepass %s\\n' \"$$REDIS_PASSWORD\" | exec docker-entrypoint.sh redis-server - "
            + "--bind \(context.bind) --port \(context.port) --save '' --appendonly no"
        return Workload(
            name: app.containerName, image: context.image(default: DefaultImages.redis.reference), command: ["sh", "-c", script],
            environmentFiles: context.owner.redisPassword.map { [$0.file.absolute(home: context.node.home)] } ?? [],
            path: context.path)
    }

    /// The password, read by Redis and by the node's LiteLLM, which caches there.
    func secrets(_ context: AppContext) -> [SecretPlacement] {
        guard let password = context.owner.redisPassword else { return [] }
        return [
            SecretPlacement(secret: password, variables: [password.variable], readers: [App.litellm.rawValue, app.rawValue], group: context.composeReaderGroup)
        ]
    }

    /// The gateway's cache: it starts in the gateway's step; verify.sh checks that a client without the password gets NOAUTH
    /// (RESP over bash's /dev/tcp).
    func operations(_ context: AppContext) -> AppOperations {
        var operations = AppOperations()
        guard context.node.apps.contains(.litellm), context.owner.redisPassword != nil, let port = context.node.port(of: app) else { return operations }
        operations.servesGateway = .cache
        operations.startedElsewhere = [app.containerName]
        operations.startBeforeGateway = [.init("docker compose -f \(context.composeFile) up -d \(app.containerName)", reads: [context.composeFile])]
        operations.checkSection = "Redis"
        operations.checks = [
            .function(
                "redis_refuses() { exec 3<>\"/dev/tcp/$1/$2\" || return 1; printf 'PING\\r\\n' >&3; IFS= read -r -t 3 reply <&3; exec 3<&-; [[ $reply == -NOAUTH* ]]; }"
            ),
            .expect("redis refuses a client without the password (NOAUTH)", command: "redis_refuses \(context.bind) \(port)"),
        ]
        return operations
    }
}
