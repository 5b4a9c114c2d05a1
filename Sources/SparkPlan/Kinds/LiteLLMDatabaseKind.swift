import SparkSpec

/// PostgreSQL for LiteLLM's keys and spend: loopback only, password required everywhere.
struct LiteLLMDatabaseKind: AppKind {
    let app = App.litellmDB

    /// Password authentication for socket and TCP connections from the first start of the database.
    static let initdbArguments = "--auth-local=scram-sha-256 --auth-host=scram-sha-256"

    func workload(_ context: AppContext) -> Workload? {
        Workload(
            name: app.rawValue, image: "postgres:16",
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
            environmentFiles: context.secretFiles.first { $0.readers.contains(app.rawValue) }.map { [$0.path] } ?? [],
            volumes: ["litellm_db:/var/lib/postgresql/data"], namedVolumes: ["litellm_db"], path: context.path)
    }
}
