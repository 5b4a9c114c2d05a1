import SparkDiagnostics
import SparkSpec

/// SC002: a node never holds another owner's secrets.
struct ForeignKeyRule: Rule {
    let description = RuleDescription(
        id: "SC002",
        title: "a node never holds another owner's key",
        rationale: """
            Whoever administers a node can read every file on it. A secret of another owner placed on \
            it (their master key or database password given to an app) belongs to the node's owner from \
            then on. The point of split trust is that you never hold the other party's credentials.
            """,
        help: "give the app a key of its own owner (a virtual key from that owner's LiteLLM)",
        triggering: [
            RuleExample(
                .twoOwners,
                [
                    (
                        "    salt_key: {file: ~/.client-litellm.env}\n",
                        "    salt_key: {file: ~/.client-litellm.env}\n    db_password: {file: ~/.client-litellm-db.env}\n"
                    ),
                    (
                        "    links: {home: 192.168.1.22}\n    apps: [litellm]\n",
                        "    links: {home: 192.168.1.22}\n    apps: [litellm, litellm-db, {open-webui: {key: ↓{file: ~/.you-litellm.env}}}]\n"
                    ),
                ])
        ],
        nonTriggering: [
            .clean(.twoOwners),
            RuleExample(
                .twoOwners,
                [
                    (
                        "    salt_key: {file: ~/.client-litellm.env}\n",
                        "    salt_key: {file: ~/.client-litellm.env}\n    db_password: {file: ~/.client-litellm-db.env}\n"
                    ),
                    (
                        "    links: {home: 192.168.1.22}\n    apps: [litellm]\n",
                        "    links: {home: 192.168.1.22}\n    apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.client-open-webui.env}}}]\n"
                    ),
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let secrets = OwnerSecretIndex(context.plan, homes: context.homesByOwner())
        for node in context.plan.nodes {
            for app in node.apps {
                guard let key = node.options(of: app)?.key else { continue }
                for owner in secrets.owners(holding: key, on: node) where owner != node.owner.name {
                    findings.append(
                        RuleFinding(
                            "app \(app.rawValue) on node '\(node.name)' (owner '\(node.owner.name)') is given a secret of owner '\(owner)' (\(key.file))",
                            at: key.path))
                }
            }
        }
        return findings
    }
}
