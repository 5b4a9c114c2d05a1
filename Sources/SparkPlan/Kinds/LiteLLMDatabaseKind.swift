import SparkSpec

/// PostgreSQL for LiteLLM's keys and spend: loopback only, password required everywhere.
struct LiteLLMDatabaseKind: AppKind {
    let app = App.litellmDB
    let names = ["PostgreSQL", "Postgres"]

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
            mounts: [.volume("litellm_db", at: "/var/lib/postgresql/data")], path: context.path)
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

    /// The gateway's database: it starts in the gateway's step, which waits until it accepts
    /// connections; under systemd, LiteLLM's schema is pushed from site-packages (its image
    /// migrates the database at start, `prisma migrate deploy` in proxy_cli.py). verify.sh checks that it refuses whoever has no password, over
    /// TCP and over its socket; the positive check shows a refusal is about the password, not a
    /// database that is down.
    func operations(_ context: AppContext) -> AppOperations {
        var operations = AppOperations()
        guard context.node.apps.contains(.litellm), context.owner.dbPassword != nil, context.node.port(of: app) != nil else { return operations }
        operations.servesGateway = .database
        let host = context.bind
        let container = app.containerName
        let node = context.node
        operations.startedElsewhere = [container]
        operations.startBeforeGateway = [
            .init("docker compose -f \(context.composeFile) up -d \(container)", reads: [context.composeFile]),
            .init(
                "timeout 120 bash -c 'until docker exec \(container) pg_isready -q -h \(host) -p \(context.port) -U \(LiteLLMPlan.Database.user); do sleep 1; done'"
            ),
        ]
        if node.appOptions[.litellm]?.runner != .compose, let file = context.owner.dbPassword?.file.absolute(home: node.home) {
            operations.startBeforeGateway.append(
                .init(
                    "( set -a; . \(file); \(node.home)/.local/bin/prisma db push --schema \(node.home)/.local/lib/python\(node.python)/site-packages/litellm/proxy/schema.prisma )"
                ))
        }
        let target = "-p \(context.port) -U \(LiteLLMPlan.Database.user) -d \(LiteLLMPlan.Database.name)"
        operations.checkSection = "LiteLLM database: a password is required, on 127.0.0.1 and on the socket"
        operations.checks = [
            .comment("shellcheck disable=SC2016 # expands in the container's shell, where the env file defined it"),
            .expect(
                "litellm-db accepts its password",
                command: "docker exec \(container) sh -c 'PGPASSWORD=\"$POSTGRES_PASSWORD\" psql -w -h \(host) \(target) -tAc \"select 1\"'"),
            // Refused for the right reason: a missing container or a server still starting fails too,
            // and would pass a check that only wants a failure.
            .comment("pg_wants_password COMMAND...: psql fails because the server asked for a password it was not given."),
            .function("pg_wants_password() { local out; if out=$(\"$@\" 2>&1); then return 1; fi; grep -q 'no password supplied' <<<\"$out\"; }"),
            .expect(
                "litellm-db refuses a connection without a password (\(host))",
                command: "pg_wants_password docker exec \(container) env -u PGPASSWORD psql -w -h \(host) \(target) -tAc 'select 1'"),
            .expect(
                "litellm-db refuses a connection without a password (socket)",
                command: "pg_wants_password docker exec \(container) env -u PGPASSWORD psql -w \(target) -tAc 'select 1'"),
        ]
        return operations
    }
}
