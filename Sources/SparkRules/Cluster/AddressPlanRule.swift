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
            rule that names it. A port's other half (a DGX Spark's second PCIe half, the link's \
            second_interface) needs a subnet of its own of the link's prefix length, the same for \
            every node on the link (NVIDIA's connect-two-sparks gives each half a subnet of its own): \
            two halves in different subnets never reach each other, and a half inside the link's \
            subnet or another link's makes the kernel send that traffic out of the wrong port, so \
            NCCL's second rail stays down and the link runs at half its width.
            """,
        help: "pick a free host address inside the link's subnet",
        triggering: [
            RuleExample(.sparkPair, replacing: "dac_ip: 198.51.100.2", with: "dac_ip: ↓198.51.100.6"),
            RuleExample(.sparkPair, replacing: "dac_ip: 198.51.100.2", with: "dac_ip: ↓198.51.100.3"),
            RuleExample(.sparkPair, replacing: "mgmt_ip: 192.0.2.22", with: "mgmt_ip: ↓192.0.2.21"),
            RuleExample(.sparkPair, replacing: "    dac_ip: 198.51.100.2\n", with: "    links: {dac: ↓198.51.100.1}\n"),
            RuleExample(.sparkPair, replacing: "dac_second_ip: 198.51.100.10", with: "dac_second_ip: ↓198.51.100.14"),
            RuleExample(.sparkPair, replacing: "dac_second_ip: 198.51.100.10", with: "dac_second_ip: ↓198.51.100.3"),
            RuleExample(.sparkPair, replacing: "dac_second_ip: 198.51.100.10", with: "dac_second_ip: ↓192.0.2.30"),
            RuleExample(.sparkPair, replacing: "dac_second_ip: 198.51.100.10", with: "dac_second_ip: ↓198.51.100.11"),
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
                } else if let problem = Self.unusableHost(address, in: subnet, used: used) {
                    findings.append(RuleFinding("\(what) \(problem)", at: interface.path))
                }
                used[address] = used[address] ?? "node '\(node.name)'"
            }
        }
        findings += secondHalves(context, used: &used)
        return findings
    }

    /// A port's other half (the second RoCE rail) has a subnet of its own, of the link's prefix
    /// length, which its netplan file gives it: every node's second address on one link must
    /// share that subnet, and it may not overlap the link's own or another link's, or the kernel
    /// routes one half's traffic out of the other port and the second rail never comes up.
    /// Which subnet the half is in is settled first: the network or broadcast address of a
    /// subnet the other halves are not in is beside the point, and fixing it would only uncover
    /// the mismatch.
    private func secondHalves(_ context: RuleContext, used: inout [IPv4Address: String]) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        var halves: [String: (network: IPv4Network, node: String)] = [:]
        for node in context.plan.nodes {
            for interface in node.interfaces {
                guard let second = interface.second else { continue }
                let link = interface.link
                let address = second.address
                let network = IPv4Network(containing: address, prefixLength: link.subnet.prefixLength)
                let what = "address \(address) of node '\(node.name)' on the second half of \(link.phrase)"
                let path = interface.secondPath ?? interface.path
                if network.overlaps(link.subnet) {
                    findings.append(
                        RuleFinding(
                            "\(what) is inside the link's own subnet \(link.subnet): the other half needs a subnet of its own", at: path,
                            help: "give the second halves a free subnet of the same size, such as the next one after \(link.subnet)"))
                } else if let clash = context.plan.links.first(where: { $0.name != link.name && $0.subnet.overlaps(network) }) {
                    findings.append(RuleFinding("\(what) is in \(network), which overlaps \(clash.phrase) (\(clash.subnet))", at: path))
                } else if let first = halves[link.name], first.network != network {
                    findings.append(
                        RuleFinding(
                            "\(what) is in \(network), and node '\(first.node)''s second half on that link is in \(first.network): the two never reach each other",
                            at: path, help: "put every node's second address on \(link.phrase) (second_ip, or dac_second_ip) in \(first.network)"))
                } else if let problem = Self.unusableHost(address, in: network, used: used) {
                    findings.append(RuleFinding("\(what) \(problem)", at: path))
                }
                used[address] = used[address] ?? "node '\(node.name)'"
                if halves[link.name] == nil { halves[link.name] = (network, node.name) }
            }
        }
        return findings
    }

    /// What keeps `address`, inside `subnet`, from being a node's own host address there, as the
    /// end of a finding's sentence: it is the subnet's network or broadcast address (a /31 or /32
    /// has neither), or an earlier interface holds it (`used`, by address). Nil when it is free.
    private static func unusableHost(_ address: IPv4Address, in subnet: IPv4Network, used: [IPv4Address: String]) -> String? {
        if subnet.prefixLength <= 30, address == subnet.networkAddress || address == subnet.broadcastAddress {
            return "is the \(address == subnet.networkAddress ? "network" : "broadcast") address of \(subnet)"
        }
        return used[address].map { "is already used by \($0)" }
    }
}
