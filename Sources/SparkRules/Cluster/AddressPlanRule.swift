import SparkDiagnostics
import SparkSpec

/// CL002: every address is inside its link's subnet, usable, and used once.
struct AddressPlanRule: Rule {
    let description = RuleDescription(
        id: "CL002",
        title: "node addresses are distinct, usable and inside their subnets",
        rationale: """
            The firewall rules, the Ray and NCCL settings and /etc/hosts all name these addresses. An \
            address outside its link's subnet is not reachable over that link, the network and broadcast \
            addresses of a subnet are not host addresses, and two nodes with one address break every \
            rule that names it.
            """,
        help: "pick a free host address inside the link's subnet",
        triggering: [
            RuleExample(.sparkPair, replacing: "dac_ip: 198.51.100.2", with: "dac_ip: ↓198.51.100.6"),
            RuleExample(.sparkPair, replacing: "dac_ip: 198.51.100.2", with: "dac_ip: ↓198.51.100.3"),
            RuleExample(.sparkPair, replacing: "mgmt_ip: 192.0.2.22", with: "mgmt_ip: ↓192.0.2.21"),
            RuleExample(.sparkPair, replacing: "    dac_ip: 198.51.100.2\n", with: "    links: {dac: ↓198.51.100.1}\n"),
        ],
        nonTriggering: [.clean(.sparkPair), RuleExample(.sparkPair, replacing: "    dac_ip: 198.51.100.2\n", with: "    links: {dac: 198.51.100.2}\n")])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        var used: [IPv4Address: String] = [:]
        for node in context.plan.nodes {
            for interface in node.interfaces {
                let address = interface.address
                let subnet = interface.link.subnet
                let what = "address \(address) of node '\(node.name)' on \(interface.link.phrase)"
                if !subnet.contains(address) {
                    findings.append(RuleFinding("\(what) is outside its subnet \(subnet)", at: interface.path))
                } else if subnet.prefixLength <= 30, address == subnet.networkAddress || address == subnet.broadcastAddress {
                    let which = address == subnet.networkAddress ? "network" : "broadcast"
                    findings.append(RuleFinding("\(what) is the \(which) address of \(subnet)", at: interface.path))
                } else if let other = used[address] {
                    findings.append(RuleFinding("\(what) is already used by \(other)", at: interface.path))
                }
                used[address] = used[address] ?? "node '\(node.name)'"
            }
        }
        return findings
    }
}
