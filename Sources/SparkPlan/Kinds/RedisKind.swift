import SparkSpec

/// Redis as LiteLLM's response cache: loopback only, a password from a secret file, nothing
/// kept on disk (a cache that is lost on restart costs only repeated work).
struct RedisKind: AppKind {
    let app = App.redis

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
}
