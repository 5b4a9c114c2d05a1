import SparkSpec

@testable import SparkPlan

/// A web app with a background worker, its own PostgreSQL, a configuration file and secrets of
/// its own (the shape of Langfuse or Plausible), written as one kind: what adding such an app
/// costs is this one type. It stands in for n8n's kind, so no case of `App` is added for a test.
struct BoardKind: AppKind {
    let app = App.n8n
    let names = ["Board"]
    static let databasePort = 5433
    static let image = "ghcr.io/example/board:1.4.2@sha256:" + String(repeating: "ab", count: 32)

    func workloads(_ context: AppContext) -> [Workload] {
        let secrets = context.ownSecretPath("board")
        let config = Mount.bind("\(context.stackDir)/board/config.yaml", at: "/app/config.yaml", readOnly: true)
        let database = Workload(
            name: "board-db", image: context.image(default: DefaultImages.postgres.reference),
            command: ["postgres", "-c", "listen_addresses=\(PlanResolver.loopback)", "-c", "port=\(Self.databasePort)"],
            environment: [("POSTGRES_USER", "board"), ("POSTGRES_DB", "board")], environmentFiles: [secrets],
            mounts: [.volume("board_db", at: "/var/lib/postgresql/data")], path: context.path)
        let web = Workload(
            name: "board-web", image: Self.image, environment: [("HOST", context.bind), ("PORT", context.port)],
            environmentFiles: [secrets], mounts: [config, .volume("board_uploads", at: "/app/uploads")], dependsOn: ["board-db"],
            healthcheck: ["CMD", "wget", "-qO-", "http://\(context.bind):\(context.port)/health"], path: context.path)
        let worker = Workload(
            name: "board-worker", image: Self.image, command: ["worker"], environmentFiles: [secrets], mounts: [config],
            dependsOn: ["board-db"], path: context.path)
        return [database, web, worker]
    }

    func configFiles(_ context: AppContext) -> [ConfigFile] {
        [ConfigFile(path: "board/config.yaml", contents: "database_host: \(PlanResolver.loopback)\ndatabase_port: \(Self.databasePort)\n")]
    }

    /// The web port as every app's, and the database's on loopback for nobody else.
    func listeners(_ context: AppContext) -> [Service] {
        guard let port = context.node.port(of: app) else { return [] }
        return [
            Service(role: .app(app.rawValue), name: "board", port: port, bindAddress: context.bind, exposure: exposure(context), path: context.path),
            Service(
                role: .app(app.rawValue), name: "board-db", port: Self.databasePort, bindAddress: PlanResolver.loopback, exposure: .localOnly,
                path: context.path),
        ]
    }

    func secrets(_ context: AppContext) -> [SecretPlacement] {
        [
            context.ownSecrets(
                "board",
                [
                    // Before the password it names: the recipe makes the password first all the same.
                    ("DATABASE_URL", .template("postgresql://board:${POSTGRES_PASSWORD}@127.0.0.1:\(Self.databasePort)/board")),
                    ("POSTGRES_PASSWORD", .randomHex(bytes: 24)),
                    ("SESSION_SECRET", .randomHex(bytes: 32, prefix: "s-")),
                ],
                readers: ["board-web", "board-worker", "board-db"])
        ]
    }
}
