import SparkDiagnostics
import SparkSpec

/// CL014: a direct link is a cable, so it joins two nodes.
struct DirectLinkRule: Rule {
    let description = RuleDescription(
        id: "CL014",
        title: "a direct link joins exactly two nodes",
        rationale: """
            A direct link is one cable between two ports. A third node with an address on it is \
            either cabled to a switch, which makes the link a fabric whose other ports the firewall \
            must not trust as a cable, or a typo that leaves it unreachable. A direct link with one \
            node carries nothing.
            """,
        help: "write 'kind: fabric' for a switch, or give the third node its own direct link",
        triggering: [
            RuleExample(
                .sparkPair, replacing: "  mgmt: {subnet: 192.0.2.0/24}\n",
                with: "  mgmt: {subnet: 192.0.2.0/24}\n  spare: ↓{kind: direct, interface: enp1s0f1np0, subnet: 203.0.113.0/30}\n")
        ],
        nonTriggering: [
            .clean(.sparkPair), RuleExample(.sparkPair, replacing: "  dac: {interface", with: "  dac: {kind: direct, interface"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var members: [String: [String]] = [:]
        for node in context.plan.nodes {
            for interface in node.interfaces where interface.link.kind == .direct { members[interface.link.name, default: []].append(node.name) }
        }
        return context.plan.links.filter { $0.kind == .direct }.compactMap { link in
            let nodes = members[link.name] ?? []
            guard nodes.count != 2 else { return nil }
            let who = nodes.isEmpty ? "no node" : nodes.map { "'\($0)'" }.joined(separator: ", ")
            return RuleFinding("direct link '\(link.name)' joins \(nodes.count == 1 ? "only " : "")\(who)", at: link.path)
        }
    }
}
