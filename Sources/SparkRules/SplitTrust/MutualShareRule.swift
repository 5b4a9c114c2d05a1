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
            RuleExample(
                replacing: "    ssh: true\n", with: "    ssh: true\n    share: [{with: ↓client-net, nodes: [spark-01], ports: [8080]}]\n"),
            RuleExample(
                replacing: "    keep_members_open: true\n",
                with: "    keep_members_open: true\n    accept: [{from: ↓you-net, nodes: [spark-01]}]\n"),
        ],
        nonTriggering: [
            .unchanged,
            RuleExample([
                ("    ssh: true\n", "    ssh: true\n    share: [{with: client-net, nodes: [spark-01], ports: [8080]}]\n"),
                ("    keep_members_open: true\n", "    keep_members_open: true\n    accept: [{from: you-net, nodes: [spark-01]}]\n"),
            ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let tailnets = context.plan.tailnets
        for tailnet in tailnets {
            for share in tailnet.shares {
                let accepted = context.plan.tailnet(named: share.tailnet)?.accepts.contains {
                    $0.tailnet == tailnet.name && Set($0.nodes) == Set(share.nodes)
                } ?? false
                if !accepted {
                    findings.append(RuleFinding(
                        "tailnet '\(tailnet.name)' shares \(share.nodes.joined(separator: ", ")) with '\(share.tailnet)', which does not accept that share",
                        at: share.path / "with"))
                }
            }
            for accept in tailnet.accepts {
                let shared = context.plan.tailnet(named: accept.tailnet)?.shares.contains {
                    $0.tailnet == tailnet.name && Set($0.nodes) == Set(accept.nodes)
                } ?? false
                if !shared {
                    findings.append(RuleFinding(
                        "tailnet '\(tailnet.name)' accepts \(accept.nodes.joined(separator: ", ")) from '\(accept.tailnet)', which does not share them",
                        at: accept.path / "from"))
                }
            }
        }
        return findings
    }
}
