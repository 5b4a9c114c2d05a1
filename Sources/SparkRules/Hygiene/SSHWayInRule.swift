import SparkDiagnostics
import SparkSpec

/// HY004: every node keeps a way in over ssh once its firewall is up.
struct SSHWayInRule: Rule {
    let description = RuleDescription(
        id: "HY004",
        title: "every node keeps a way in over ssh",
        rationale: """
            ufw denies incoming traffic by default, and the generated firewall admits ssh only from the \
            node's LANs and, when the tailnet grants it, over the tailnet. A node on no LAN whose \
            tailnet grants no ssh answers only at its console once firewall.sh has run, and a session \
            that ran it over any other network is cut.
            """,
        severity: .warning,
        help: "add the LAN you ssh from under 'links' (kind: lan) with the node's address on it, or set 'ssh: true' on the node's tailnet",
        triggering: [
            RuleExample(.oneSpark, [("    ssh: true\n", "    ssh: false\n"), ("    owner: me\n", "    ↓owner: me\n")])
        ],
        nonTriggering: [.clean(.oneSpark)])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.nodes.filter { $0.lan == nil && !$0.tailnet.ssh }.map { node in
            RuleFinding(
                "node '\(node.name)' is on no LAN and tailnet '\(node.tailnet.name)' grants no ssh: once its firewall is up, only the console reaches it",
                at: node.path)
        }
    }
}
