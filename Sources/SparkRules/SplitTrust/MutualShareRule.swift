import SparkDiagnostics
import SparkSpec

/// ST007: access across tailnets exists only when both sides state it.
struct MutualShareRule: Rule {
    let description = RuleDescription(
        id: "ST007",
        title: "cross-tailnet access is stated on both sides",
        rationale: """
            Two owners' tailnets are separate trust domains. A share one side wrote and the other never \
            agreed to is access nobody reviewed on the receiving side; an acceptance without a share is \
            a policy that no longer matches reality. Both tailnets must name each other and the same nodes.
            """,
        help: "add the matching 'accept: [{from: …, nodes: […]}]' (or 'share:') to the other tailnet, or remove this one",
        triggering: [
            // spark-01 states its tailnet address (ST012), so only the missing half is found.
            RuleExample(
                .twoOwners,
                [
                    (
                        "    users: [you@example.com]\n    ssh: true\n",
                        "    users: [you@example.com]\n    ssh: true\n    share: [{with: ↓client-net, nodes: [spark-01], ports: [8080]}]\n"
                    ), ("    user: you\n", "    user: you\n    tailnet_ip: 100.64.0.21\n"),
                ]),
            RuleExample(
                .twoOwners,
                [
                    (
                        "    users: [client@example.com]\n    ssh: true\n",
                        "    users: [client@example.com]\n    ssh: true\n    accept: [{from: ↓you-net, nodes: [spark-01]}]\n"
                    ), ("    user: you\n", "    user: you\n    tailnet_ip: 100.64.0.21\n"),
                ]),
        ],
        nonTriggering: [
            .clean(.twoOwners),
            RuleExample(
                .twoOwners,
                [
                    (
                        "    users: [you@example.com]\n    ssh: true\n",
                        "    users: [you@example.com]\n    ssh: true\n    share: [{with: client-net, nodes: [spark-01], ports: [8080]}]\n"
                    ),
                    (
                        "    users: [client@example.com]\n    ssh: true\n",
                        "    users: [client@example.com]\n    ssh: true\n    accept: [{from: you-net, nodes: [spark-01]}]\n"
                    ),
                    ("    user: you\n", "    user: you\n    tailnet_ip: 100.64.0.21\n"),
                ]),
            // One acceptance covers two shares.
            RuleExample(
                .twoOwners,
                [
                    (
                        "    users: [you@example.com]\n    ssh: true\n",
                        "    users: [you@example.com]\n    ssh: true\n    share: [{with: client-net, nodes: [spark-01], ports: [8080]}, {with: client-net, nodes: [spark-01], ports: [22]}]\n"
                    ),
                    (
                        "    users: [client@example.com]\n    ssh: true\n",
                        "    users: [client@example.com]\n    ssh: true\n    accept: [{from: you-net, nodes: [spark-01]}]\n"
                    ),
                    ("    user: you\n", "    user: you\n    tailnet_ip: 100.64.0.21\n"),
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let tailnets = context.plan.tailnets
        // The nodes each tailnet shares with and accepts from each other one, gathered once: a
        // tailnet with a share per node asked every share the other tailnet's whole accept
        // list, the square of the fleet (bench/growth.sh, shape crowded).
        var sharedBy: [String: [String: Set<String>]] = [:], acceptedBy: [String: [String: Set<String>]] = [:]
        for tailnet in tailnets {
            for share in tailnet.shares { sharedBy[tailnet.name, default: [:]][share.tailnet, default: []].formUnion(share.nodes) }
            for accept in tailnet.accepts { acceptedBy[tailnet.name, default: [:]][accept.tailnet, default: []].formUnion(accept.nodes) }
        }
        // Matched node by node, not entry by entry: one 'accept' may cover several shares (two
        // ports sets on two nodes, say) and one share may be accepted in parts.
        for tailnet in tailnets {
            for share in tailnet.shares {
                let accepted = acceptedBy[share.tailnet]?[tailnet.name] ?? []
                let missing = share.nodes.filter { !accepted.contains($0) }
                if !missing.isEmpty {
                    findings.append(
                        RuleFinding(
                            "tailnet '\(tailnet.name)' shares \(missing.joined(separator: ", ")) with '\(share.tailnet)', which does not accept that share",
                            at: share.path / "with"))
                }
            }
            for accept in tailnet.accepts {
                let shared = sharedBy[accept.tailnet]?[tailnet.name] ?? []
                let missing = accept.nodes.filter { !shared.contains($0) }
                if !missing.isEmpty {
                    findings.append(
                        RuleFinding(
                            "tailnet '\(tailnet.name)' accepts \(missing.joined(separator: ", ")) from '\(accept.tailnet)', which does not share them",
                            at: accept.path / "from"))
                }
            }
        }
        return findings
    }
}
