import SparkDiagnostics
import SparkSpec

/// HY001: every name resolves to one machine.
struct HostNamesRule: Rule {
    let description = RuleDescription(
        id: "HY001",
        title: "node and tailnet host names are unambiguous",
        rationale: """
            /etc/hosts maps each node's name to its mgmt address, and MagicDNS maps tailnet host names \
            to tailnet addresses. A tailnet host name that repeats another node's name, or another \
            node's tailnet host name, makes 'ssh spark-01' or a webhook URL reach a different machine \
            depending on which resolver answers first.
            """,
        help: "give every node a tailnet_hostname no other node uses as its name or tailnet host name",
        triggering: [
            RuleExample(
                .sparkPair, replacing: "    dac_second_ip: 198.51.100.10\n", with: "    dac_second_ip: 198.51.100.10\n    tailnet_hostname: ↓spark-01\n")
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        var taken: [String: String] = [:]
        for node in context.plan.nodes { taken[node.name] = "the name of node '\(node.name)'" }
        var tailnetNames: [String: String] = [:]
        for node in context.plan.nodes {
            let name = node.tailnetHostname
            if name != node.name, let other = taken[name] {
                findings.append(RuleFinding("tailnet_hostname '\(name)' of node '\(node.name)' is \(other)", at: node.path / "tailnet_hostname"))
            } else if let other = tailnetNames[name] {
                findings.append(
                    RuleFinding(
                        "tailnet_hostname '\(name)' of node '\(node.name)' is also the tailnet host name of node '\(other)'",
                        at: node.path / "tailnet_hostname"))
            }
            tailnetNames[name] = node.name
        }
        return findings
    }
}
