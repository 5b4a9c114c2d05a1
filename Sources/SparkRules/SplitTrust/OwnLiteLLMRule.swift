import SparkDiagnostics
import SparkSpec

/// ST004: every app talks to its own owner's LiteLLM on its own node.
struct OwnLiteLLMRule: Rule {
    let description = RuleDescription(
        id: "ST004",
        title: "apps talk to the LiteLLM on their own node",
        rationale: """
            An app pointed at another node's LiteLLM sends its owner's prompts through someone else's \
            proxy, key and logs, the 'cross-pointing' the guide tells you to look for when a request \
            shows up in the wrong log. Each app uses the LiteLLM of its own node and owner.
            """,
        help: "remove the app's 'litellm' setting so it uses the LiteLLM on its own node",
        triggering: [
            RuleExample(
                .twoOwners,
                [
                    (
                        "    links: {home: 192.168.1.22}\n    apps: [litellm]\n",
                        "    links: {home: 192.168.1.22}\n    apps: [litellm, {open-webui: {litellm: ↓spark-01}}]\n"
                    )
                ])
        ],
        nonTriggering: [
            .clean(.twoOwners),
            RuleExample(
                .twoOwners,
                [
                    (
                        "    links: {home: 192.168.1.22}\n    apps: [litellm]\n",
                        "    links: {home: 192.168.1.22}\n    apps: [litellm, {open-webui: {litellm: spark-02}}]\n"
                    )
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for node in context.plan.nodes {
            for app in node.apps {
                guard let options = node.options(of: app), let target = options.litellm, target != node.name,
                    let other = context.plan.node(named: target)
                else { continue }
                let whose = other.owner.name == node.owner.name ? "another node of the same owner" : "owner '\(other.owner.name)'"
                findings.append(
                    RuleFinding(
                        "app \(app.rawValue) on node '\(node.name)' (owner '\(node.owner.name)') talks to the LiteLLM on '\(target)', which belongs to \(whose)",
                        at: options.path / "litellm"))
            }
        }
        return findings
    }
}
