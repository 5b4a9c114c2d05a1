import SparkDiagnostics
import SparkSpec

/// CL001: every node of a cluster names the DAC interface the same way.
struct DACInterfaceRule: Rule {
    let description = RuleDescription(
        id: "CL001",
        title: "the DAC interface has the same name on every node of a cluster",
        rationale: """
            NCCL_SOCKET_IFNAME and GLOO_SOCKET_IFNAME must name the DAC interface on every rank. If one \
            node has it as enp1s0f1np0 while the other has enp1s0f0np0, NCCL fails to connect or falls \
            back to the mgmt LAN, and collectives crawl over 1 GbE.
            """,
        help: "cable the same port on every node, or rename the interface (a systemd .link file) so the names match",
        triggering: [RuleExample(replacing: "    dac_ip: 198.51.100.2\n", with: "    dac_ip: 198.51.100.2\n    dac_interface: ↓enp1s0f1np0\n")],
        nonTriggering: [
            .unchanged,
            RuleExample(replacing: "    dac_ip: 198.51.100.2\n", with: "    dac_ip: 198.51.100.2\n    dac_interface: enp1s0f0np0\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        let shared = context.topology.links.dac.interface
        var findings: [RuleFinding] = []
        for model in context.topology.models {
            let members = context.members(of: model)
            guard members.count > 1, let head = members.first else { continue }
            let headName = head.dacInterface ?? shared
            for node in members.dropFirst() where (node.dacInterface ?? shared) != headName {
                findings.append(RuleFinding(
                    "node '\(node.name)' names its DAC interface '\(node.dacInterface ?? shared)' but the head '\(head.name)' of model '\(model.name)' uses '\(headName)'",
                    at: node.path / "dac_interface"))
            }
        }
        return findings
    }
}
