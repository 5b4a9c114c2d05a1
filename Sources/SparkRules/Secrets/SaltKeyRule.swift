import SparkDiagnostics
import SparkSpec

/// SC007: a LiteLLM that keeps a database has a salt key of its own.
///
/// LiteLLM encrypts what it stores for later use (models and credentials added in its UI) with
/// LITELLM_SALT_KEY, and with the master key when there is none
/// (proxy/common_utils/encrypt_decrypt_utils.py, get_salt_key).
struct SaltKeyRule: Rule {
    let description = RuleDescription(
        id: "SC007",
        title: "a LiteLLM with a database has a salt key",
        rationale: """
            Without LITELLM_SALT_KEY, LiteLLM encrypts the credentials and models it keeps in its \
            database with the master key. Rotating the master key, which the runbook's handover step \
            does, then leaves them unreadable: models added in the UI stop working and their \
            credentials must be entered again. A salt key that never changes keeps them readable \
            across rotations.
            """,
        severity: .warning,
        help: "add 'salt_key: {file: …}' to the owner (it may share the master key's file; the handover step keeps it)",
        triggering: [
            // A LiteLLM that keeps a database, with the salt key left out.
            RuleExample(
                .oneSpark,
                [
                    (
                        "    master_key: {file: ~/.me-litellm.env}\n    salt_key: {file: ~/.me-litellm.env}\n",
                        "    master_key: ↓{file: ~/.me-litellm.env}\n    db_password: {file: ~/.me-litellm-db.env}\n"
                    ),
                    ("    apps: [litellm]\n", "    apps: [litellm, litellm-db]\n"),
                ])
        ],
        nonTriggering: [.clean(.oneSpark), .clean(.amdBox)])

    func check(_ context: RuleContext) -> [RuleFinding] {
        // The first node of each owner whose LiteLLM keeps a database, in one pass over the fleet.
        var withDatabase: [String: String] = [:]
        for node in context.plan.nodes where withDatabase[node.owner.name] == nil && node.apps.contains(.litellm) && node.apps.contains(.litellmDB) {
            withDatabase[node.owner.name] = node.name
        }
        return context.plan.owners.compactMap { owner -> RuleFinding? in
            guard owner.saltKey == nil, let node = withDatabase[owner.name] else { return nil }
            return RuleFinding(
                "the LiteLLM of owner '\(owner.name)' on node '\(node)' keeps a database but has no salt key: rotating the master key would make what it encrypted unreadable",
                at: owner.masterKey?.path ?? owner.path)
        }
    }
}
