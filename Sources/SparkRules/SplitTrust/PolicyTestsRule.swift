import SparkDiagnostics
import SparkPlan
import SparkSpec

/// ST009: the generated tailnet policy passes its own tests block.
struct PolicyTestsRule: Rule {
    let description = RuleDescription(
        id: "ST009",
        title: "each tailnet policy passes its own tests",
        rationale: """
            Every generated policy carries tests: the tailnet's users reach the app ports and nothing \
            else on the nodes, and the nodes' own tag reaches none of the members' devices. Tailscale runs \
            them on every save and refuses a policy that fails, so a topology whose extra grants contradict \
            them builds files that cannot be applied, and whoever 'fixes' that by hand deletes the test \
            that stood for the trust boundary. Lint evaluates the tests against the grants first.
            """,
        help: "remove the grant or narrow it; ports the tests deny are kept off the tailnet on purpose",
        triggering: [
            // Postgres of LiteLLM's database: the tests deny the users every port but the apps'.
            RuleExample(
                .twoOwners,
                [
                    (
                        "    salt_key: {file: ~/.you-litellm.env}\n",
                        "    salt_key: {file: ~/.you-litellm.env}\n    db_password: {file: ~/.you-litellm-db.env}\n"
                    ),
                    ("    users: [you@example.com]\n", "    users: [you@example.com]\n    grants: [↓{src: [\"*\"], ports: [5432]}]\n"),
                    ("    links: {home: 192.168.1.21}\n    apps: [litellm]\n", "    links: {home: 192.168.1.21}\n    apps: [litellm, litellm-db]\n"),
                ]),
            RuleExample(
                .twoOwners, replacing: "    users: [client@example.com]\n",
                with: "    users: [client@example.com]\n    grants: [↓{src: [tag:client], dst: [autogroup:member], ports: [22]}]\n"),
        ],
        nonTriggering: [
            .clean(.twoOwners),
            RuleExample(
                .twoOwners, replacing: "    users: [client@example.com]\n",
                with: "    users: [client@example.com]\n    grants: [{src: [autogroup:member], dst: [tag:client], ports: [443]}]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for tailnet in context.plan.tailnets {
            for failure in tailnet.policy.failingTests() {
                guard let (host, port) = TailnetPolicy.split(failure.target) else { continue }
                let source = failure.test.source
                if failure.expected {
                    findings.append(
                        RuleFinding(
                            "the policy of tailnet '\(tailnet.name)' fails its own test: \(source) should reach \(failure.target) but no grant admits it; Tailscale refuses to save it",
                            at: tailnet.path))
                    continue
                }
                let culprits = tailnet.policy.grants(admitting: source, to: host, port: port)
                // One grant keeps every kept-open tag open: point at the entry naming the tag.
                findings.append(
                    RuleFinding(
                        "the policy of tailnet '\(tailnet.name)' fails its own test: a grant lets \(source) reach \(failure.target), which the tests deny; Tailscale refuses to save it",
                        at: culprits.lazy.compactMap { $0.path(naming: source, host) }.first ?? tailnet.path))
            }
        }
        return findings
    }
}
