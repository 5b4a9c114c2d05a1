import SparkDiagnostics
import SparkSpec

/// CL012: the DAC link and the management LAN are separate networks on separate ports.
struct SeparateLinksRule: Rule {
    let description = RuleDescription(
        id: "CL012",
        title: "the DAC link and the mgmt LAN are separate networks",
        rationale: """
            The firewall trusts the DAC by interface and source: it admits every port from a cluster \
            peer's DAC address on the DAC interface, and ssh only from the mgmt subnet. When both links \
            share one subnet, or one interface, every host of the mgmt LAN can take a DAC address and is \
            admitted as a cluster peer, and the mgmt rules admit DAC traffic.
            """,
        help: "give the DAC link its own subnet (a /30 per pair, or a small private range) and its own port",
        triggering: [
            RuleExample(replacing: "  mgmt: {subnet: 192.0.2.0/24}\n", with: "  mgmt: {subnet: ↓198.51.100.0/24}\n"),
            RuleExample(replacing: "  mgmt: {subnet: 192.0.2.0/24}\n", with: "  mgmt: {subnet: 192.0.2.0/24, interface: ↓enp1s0f0np0}\n"),
        ],
        nonTriggering: [
            .unchanged,
            RuleExample(replacing: "  mgmt: {subnet: 192.0.2.0/24}\n", with: "  mgmt: {subnet: 192.0.2.0/24, interface: enP7s7}\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        let links = context.topology.links
        var findings: [RuleFinding] = []
        if links.dac.subnet.overlaps(links.mgmt.subnet) {
            findings.append(RuleFinding(
                "the mgmt LAN \(links.mgmt.subnet) overlaps the DAC subnet \(links.dac.subnet)", at: links.mgmt.path / "subnet"))
        }
        if let mgmt = links.mgmt.interface {
            let sharing = context.topology.nodes.filter { ($0.dacInterface ?? links.dac.interface) == mgmt }.map { "'\($0.name)'" }
            if !sharing.isEmpty {
                findings.append(RuleFinding(
                    "the mgmt LAN uses interface \(mgmt), the DAC interface of \(sharing.joined(separator: ", "))",
                    at: links.mgmt.path / "interface"))
            }
        }
        return findings
    }
}
