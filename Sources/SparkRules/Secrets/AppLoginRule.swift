import SparkDiagnostics
import SparkSpec

/// SC005: Hermes WebUI runs with a password.
struct AppLoginRule: Rule {
    let description = RuleDescription(
        id: "SC005",
        title: "hermes-webui requires a login",
        rationale: """
            Hermes WebUI drives the owner's Hermes agent, which runs tools and shell commands on the \
            node, and its password login is off unless HERMES_WEBUI_PASSWORD is set. Binding it to \
            127.0.0.1 is no boundary against local processes: on a node that shares a Ray cluster \
            with another owner, that owner's Ray tasks run in a host-network container and reach \
            every loopback port. The password comes from a secret file by reference, like every secret.
            """,
        help: "give the app a password file: '- hermes-webui: {password: {file: ~/.hermes-webui.env}}' (the runbook creates it)",
        triggering: [
            RuleExample(.oneSpark, replacing: "    apps: [litellm]\n", with: "    apps: [litellm, hermes, ↓hermes-webui]\n")
        ],
        nonTriggering: [
            .clean(.oneSpark),
            RuleExample(
                .oneSpark, replacing: "    apps: [litellm]\n",
                with: "    apps: [litellm, hermes, {hermes-webui: {password: {file: ~/.me-hermes-webui.env}}}]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for node in context.plan.nodes {
            guard let index = node.apps.firstIndex(of: .hermesWebUI), node.options(of: .hermesWebUI)?.password == nil else { continue }
            findings.append(
                RuleFinding(
                    "hermes-webui on node '\(node.name)' has no password: its login is off, and any process on the node can drive the Hermes agent",
                    at: node.path / "apps" / index))
        }
        return findings
    }
}
