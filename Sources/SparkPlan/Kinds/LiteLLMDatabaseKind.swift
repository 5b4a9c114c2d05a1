import SparkSpec

/// PostgreSQL for LiteLLM's keys and spend: loopback only, password required everywhere.
struct LiteLLMDatabaseKind: AppKind {
    let app = App.litellmDB

    /// Password authentication for socket and TCP connections from the first start of the database.
    static let initdbArguments = "--auth-local=scram-sha-256 --auth-host=scram-sha-256"

    func workload(_ context: AppContext) -> Workload? {
        Workload(
            name: app.containerName, image: context.image(default: DefaultImages.postgres.reference),
            command: ["postgres", "-c", "listen_addresses=\(context.bind)", "-c", "port=\(context.port)"],
            environment: [
                ("POSTGRES_USER", LiteLLMPlan.Database.user),
                ("POSTGRES_DB", LiteLLMPlan.Database.name),
                // Without these, initdb writes 'trust' for local and 127.0.0.1 connections ahead of the
                // entrypoint's password line (first match wins): with the host network, every process
                // on the node would be superuser without a password. A volume initialised earlier keeps
                // its pg_hba.conf: RUNBOOK.md says how to fix it. (docker-library/postgres
                // 16/bookworm docker-entrypoint.sh: initdb with POSTGRES_INITDB_ARGS, then
                // pg_setup_hba_conf appends 'host all all all scram-sha-256'.)
                ("POSTGRES_INITDB_ARGS", Self.initdbArguments),
            ],
            environmentFiles: context.owner.dbPassword.map { [$0.file.absolute(home: context.node.home)] } ?? [],
            volumes: ["litellm_db:/var/lib/postgresql/data"], path: context.path)
    }

    /// The password, in a file that also gives a LiteLLM on the same node its DATABASE_URL.
    func secrets(_ context: AppContext) -> [SecretPlacement] {
        guard let password = context.owner.dbPassword else { return [] }
        let withLiteLLM = context.node.apps.contains(.litellm)
        return [
            SecretPlacement(
                secret: password, variables: [password.variable] + (withLiteLLM ? ["DATABASE_URL"] : []),
                readers: (withLiteLLM ? [App.litellm.rawValue] : []) + [app.rawValue])
        ]
    }
}
