import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL012: links are separate networks on separate ports.
struct SeparateLinksRule: Rule {
    let description = RuleDescription(
        id: "CL012",
        title: "links are separate networks on separate ports",
        rationale: """
            The firewall trusts a cluster link by interface and source: it admits every port from a \
            cluster peer's address on the link's interface, and ssh only from the LAN's subnet. When two \
            links share a subnet, or a LAN and a cluster link share an interface, every host of the LAN \
            can take a cluster address and is admitted as a cluster peer, and the LAN rules admit \
            cluster traffic.
            """,
        help: "give each link its own subnet (a /30 per direct pair, or a small private range) and its own port",
        triggering: [
            RuleExample(
                .sparkPair,
                [
                    ("  mgmt: {subnet: 192.0.2.0/24}\n", "  mgmt: {subnet: ↓198.51.100.0/29}\n"),
                    ("mgmt_ip: 192.0.2.21", "mgmt_ip: 198.51.100.5"), ("mgmt_ip: 192.0.2.22", "mgmt_ip: 198.51.100.6"),
                ]),
            RuleExample(.sparkPair, replacing: "  mgmt: {subnet: 192.0.2.0/24}\n", with: "  mgmt: {subnet: 192.0.2.0/24, interface: ↓enp1s0f0np0}\n"),
            RuleExample(
                .sparkPair, replacing: "  mgmt: {subnet: 192.0.2.0/24}\n",
                with: "  mgmt: {subnet: 192.0.2.0/24}\n  spare: {kind: lan, subnet: ↓198.51.100.0/31}\n"),
        ],
        nonTriggering: [
            .clean(.sparkPair),
            RuleExample(.sparkPair, replacing: "  mgmt: {subnet: 192.0.2.0/24}\n", with: "  mgmt: {subnet: 192.0.2.0/24, interface: enP7s7}\n"),
            RuleExample(
                .sparkPair, replacing: "  mgmt: {subnet: 192.0.2.0/24}\n",
                with: "  mgmt: {subnet: 192.0.2.0/24}\n  spare: {kind: lan, subnet: 198.51.100.4/30}\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        // Sorted by first address, a link overlaps an earlier one exactly when it starts before the
        // furthest end seen so far: linear after the sort, for fleets with a link per pair.
        let links = context.plan.links.enumerated().sorted {
            ($0.element.subnet.networkAddress.value, $0.offset) < ($1.element.subnet.networkAddress.value, $1.offset)
        }
        var furthest: (end: UInt32, index: Int)?
        for (index, link) in links {
            if let previous = furthest, link.subnet.networkAddress.value <= previous.end {
                let other = context.plan.links[previous.index]
                // Reported at the one written later, which is usually the one just added.
                let (early, late) = index > previous.index ? (other, link) : (link, other)
                findings.append(RuleFinding("\(late.phrase) \(late.subnet) overlaps \(early.phrase) \(early.subnet)", at: late.path / "subnet"))
            }
            if furthest == nil || link.subnet.broadcastAddress.value > furthest!.end {
                furthest = (link.subnet.broadcastAddress.value, index)
            }
        }
        // One port cannot be on two links: the firewall would trust the other link's hosts as
        // cluster peers, or a LAN's rules would admit cluster traffic.
        var sharing: [SpecPath: (message: String, nodes: [String])] = [:]
        var order: [SpecPath] = []
        for node in context.plan.nodes {
            var first: [String: NodeInterface] = [:]
            for interface in node.interfaces {
                guard let device = interface.device else { continue }
                guard let earlier = first[device] else {
                    first[device] = interface
                    continue
                }
                // Reported at the LAN's interface when one of the two is a LAN, else at the later one.
                let (reported, other) = earlier.link.kind == .lan && interface.link.kind != .lan ? (earlier, interface) : (interface, earlier)
                let path = reported.devicePath
                if sharing[path] == nil {
                    order.append(path)
                    sharing[path] = ("\(reported.link.phrase) uses interface \(device), the interface on \(other.link.phrase) of ", [])
                }
                sharing[path]!.nodes.append("'\(node.name)'")
            }
        }
        for path in order {
            let entry = sharing[path]!
            findings.append(RuleFinding(entry.message + entry.nodes.joined(separator: ", "), at: path))
        }
        return findings
    }
}
