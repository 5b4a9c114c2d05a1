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
            RuleExample(replacing: "dac_ip: 198.51.100.2", with: "dac_ip: ↓198.51.100.6"),
            RuleExample(replacing: "dac_ip: 198.51.100.2", with: "dac_ip: ↓198.51.100.3"),
            RuleExample(replacing: "mgmt_ip: 192.0.2.22", with: "mgmt_ip: ↓192.0.2.21"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        let links = context.topology.links
        var findings: [RuleFinding] = []
        var used: [IPv4Address: String] = [:]
        for node in context.topology.nodes {
            let checks: [(IPv4Address, IPv4Network, String, String)] = [
                (node.mgmtIP, links.mgmt.subnet, "mgmt_ip", "management LAN"),
                (node.dacIP, links.dac.subnet, "dac_ip", "DAC link"),
            ]
            for (address, subnet, key, link) in checks {
                let path = node.path / key
                if !subnet.contains(address) {
                    findings.append(RuleFinding("\(key) \(address) of node '\(node.name)' is outside the \(link) subnet \(subnet)", at: path))
                } else if subnet.prefixLength <= 30, address == subnet.networkAddress || address == subnet.broadcastAddress {
                    let which = address == subnet.networkAddress ? "network" : "broadcast"
                    findings.append(RuleFinding("\(key) \(address) of node '\(node.name)' is the \(which) address of \(subnet)", at: path))
                } else if let other = used[address] {
                    findings.append(RuleFinding("\(key) \(address) of node '\(node.name)' is already used by \(other)", at: path))
                }
                used[address] = used[address] ?? "node '\(node.name)'"
            }
        }
        return findings
    }
}
