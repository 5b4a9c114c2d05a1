import SparkDiagnostics
import SparkPlan
import SparkSpec

/// ST012: a node shared with another tailnet's users states its tailnet address.
struct SharedNodeAddressRule: Rule {
    let description = RuleDescription(
        id: "ST012",
        title: "a shared node states its tailnet_ip",
        rationale: """
            The generated policy replaces the sharer's whole policy, so the users who accept a share \
            reach the shared ports only through a grant to autogroup:shared. A grant whose destination \
            is the shared device's tag does not admit them: "Devices can't be accessed by shared users \
            if using tags in ACL to identify them" (tailscale/tailscale#14445, open), while the same \
            grant to the device's Tailscale address does. Without the node's tailnet_ip spark-gen has \
            no destination that works, and writes no grant for the node rather than one that does nothing.
            """,
        help: "add 'tailnet_ip: 100.x.y.z' to the node, the address the Tailscale admin console shows for it",
        triggering: [
            RuleExample(
                .twoOwners,
                [
                    (
                        "    users: [you@example.com]\n    ssh: true\n",
                        "    users: [you@example.com]\n    ssh: true\n    accept: [{from: client-net, nodes: [spark-02]}]\n"
                    ),
                    (
                        "    users: [client@example.com]\n    ssh: true\n",
                        "    users: [client@example.com]\n    ssh: true\n    share: [{with: you-net, nodes: [↓spark-02], ports: [8080]}]\n"
                    ),
                ])
        ],
        nonTriggering: [
            .clean(.twoOwners),
            RuleExample(
                .twoOwners,
                [
                    (
                        "    users: [you@example.com]\n    ssh: true\n",
                        "    users: [you@example.com]\n    ssh: true\n    accept: [{from: client-net, nodes: [spark-02]}]\n"
                    ),
                    (
                        "    users: [client@example.com]\n    ssh: true\n",
                        "    users: [client@example.com]\n    ssh: true\n    share: [{with: you-net, nodes: [spark-02], ports: [8080]}]\n"
                    ),
                    ("    user: client\n", "    user: client\n    tailnet_ip: 100.64.0.22\n"),
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for tailnet in context.plan.tailnets {
            for share in tailnet.shares where !share.ports.isEmpty {
                for (index, name) in share.nodes.enumerated() {
                    guard let node = context.plan.node(named: name), node.tailnetIP == nil else { continue }
                    findings.append(
                        RuleFinding(
                            "node '\(name)' is shared with the users of tailnet '\(share.tailnet)' but has no tailnet_ip: a grant to its tag \(node.tailnet.tag) does not admit shared-in users (tailscale/tailscale#14445), so the policy admits them to none of ports \(share.ports.sorted().map(String.init).joined(separator: ", ")) there",
                            at: share.path / "nodes" / index,
                            help: "add 'tailnet_ip: 100.x.y.z' to node '\(name)', the address the Tailscale admin console shows for it (it can be fixed there)")
                    )
                }
            }
        }
        return findings
    }
}
