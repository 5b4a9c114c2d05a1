import SparkDiagnostics
import SparkSpec

/// SC004: an app's key is not the owner's master key.
struct AppKeyRule: Rule {
    let description = RuleDescription(
        id: "SC004",
        title: "an app's key is distinct from the master key",
        rationale: """
            The master key administers LiteLLM: it mints and revokes keys and reads every log. An app \
            given it (or given the file that holds it, which compose loads whole into the container) \
            can do all of that, and revoking the app means rotating the master key. Apps get virtual \
            keys of their own.
            """,
        help: "create a virtual key for the app in the LiteLLM UI and reference a file that holds only that key",
        triggering: [
            RuleExample(
                .oneSpark,
                [
                    ("    salt_key: {file: ~/.me-litellm.env}\n", "    salt_key: {file: ~/.me-litellm.env}\n    db_password: {file: ~/.me-litellm-db.env}\n"),
                    ("    apps: [litellm]\n", "    apps: [litellm, litellm-db, {open-webui: {key: ↓{file: ~/.me-litellm.env}}}]\n"),
                ]),
            RuleExample(
                .oneSpark,
                [
                    ("    salt_key: {file: ~/.me-litellm.env}\n", "    salt_key: {file: ~/.me-litellm.env}\n    db_password: {file: ~/.me-litellm-db.env}\n"),
                    ("    apps: [litellm]\n", "    apps: [litellm, litellm-db, {open-webui: {key: ↓{file: /home/me/.me-litellm.env}}}]\n"),
                ]),
        ],
        nonTriggering: [
            .clean(.oneSpark),
            RuleExample(
                .oneSpark,
                [
                    ("    salt_key: {file: ~/.me-litellm.env}\n", "    salt_key: {file: ~/.me-litellm.env}\n    db_password: {file: ~/.me-litellm-db.env}\n"),
                    ("    apps: [litellm]\n", "    apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.me-open-webui.env}}}]\n"),
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for node in context.plan.nodes {
            let owner = node.owner
            guard let master = owner.masterKey else { continue }
            for app in node.apps {
                guard let key = node.options(of: app)?.key else { continue }
                if key.file.absolute(home: node.home) == master.file.absolute(home: node.home) {
                    findings.append(
                        RuleFinding(
                            "app \(app.rawValue) on node '\(node.name)' reads its key from \(key.file), the file that holds owner '\(owner.name)''s master key",
                            at: key.path))
                } else if let fingerprint = key.sha256, fingerprint == master.sha256 {
                    findings.append(
                        RuleFinding(
                            "app \(app.rawValue) on node '\(node.name)' is given owner '\(owner.name)''s master key (equal sha256 fingerprints)",
                            at: key.path / "sha256"))
                }
            }
        }
        return findings
    }
}
