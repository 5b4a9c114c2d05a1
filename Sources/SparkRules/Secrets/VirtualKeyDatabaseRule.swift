import SparkDiagnostics
import SparkSpec

/// SC006: an app's virtual key, and a key a gateway offers another owner, need a database
/// behind the LiteLLM that mints and checks it.
///
/// LiteLLM's proxy/auth/user_api_key_auth.py raises `ProxyException("No connected db.", code=400)`
/// for any key but the master key when `prisma_client is None`; `/key/generate` stores keys there.
struct VirtualKeyDatabaseRule: Rule {
    let description = RuleDescription(
        id: "SC006",
        title: "an app with a virtual key, or a gateway's offer, uses a LiteLLM with a database",
        rationale: """
            LiteLLM keeps virtual keys in its database. Without one, '/key/generate' cannot store the \
            key the runbook mints, and every key but the master key is refused with '400 No connected \
            db.', so the app never gets an answer. A gateway that offers models to another owner \
            (owners.<o>.offers) mints that owner's key the same way, and the other owner's LiteLLM \
            would get 400 for every request.
            """,
        help: "add litellm-db to the apps of the node whose LiteLLM the app uses or offers models (and db_password to its owner)",
        triggering: [
            RuleExample(.oneSpark, replacing: "    apps: [litellm]\n", with: "    apps: [litellm, {open-webui: {key: ↓{file: ~/.me-open-webui.env}}}]\n")
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
            for app in node.apps {
                guard let options = node.options(of: app), options.key != nil else { continue }
                let target = options.litellm ?? node.name
                guard let litellm = context.plan.node(named: target), litellm.apps.contains(.litellm),
                    !litellm.apps.contains(.litellmDB)
                else { continue }
                findings.append(
                    RuleFinding(
                        "app '\(app.rawValue)' on node '\(node.name)' has a virtual key, but the LiteLLM on '\(target)' has no database to keep it",
                        at: options.path / "key"))
            }
        }
        for offer in context.plan.offers {
            guard let gateway = context.plan.node(named: offer.gateway), !gateway.has(.litellmDB) else { continue }
            let models = offer.models.map { "'\($0)'" }.joined(separator: ", ")
            findings.append(
                RuleFinding(
                    "owner '\(offer.from)' offers \(models) to '\(offer.to)' with a key, but the LiteLLM on '\(gateway.name)' has no database to mint and keep it",
                    at: offer.key.path))
        }
        return findings
    }
}
