import SparkDiagnostics
import SparkSpec

/// CL001: every node of a cluster names the interface of the cluster's link the same way.
struct DACInterfaceRule: Rule {
    let description = RuleDescription(
        id: "CL001",
        title: "the cluster link's interface has the same name on every node of a cluster",
        rationale: """
            NCCL_SOCKET_IFNAME and GLOO_SOCKET_IFNAME must name the DAC interface on every rank. If one \
            node has it as enp1s0f1np0 while the other has enp1s0f0np0, NCCL fails to connect or falls \
            back to the mgmt LAN, and collectives crawl over 1 GbE.
            """,
        help: "cable the same port on every node, or rename the interface (a systemd .link file) so the names match",
        triggering: [
            RuleExample(.sparkPair, replacing: "    dac_ip: 198.51.100.2\n", with: "    dac_ip: 198.51.100.2\n    dac_interface: ↓enp1s0f1np0\n"),
            RuleExample(.sparkPair, replacing: "    dac_ip: 198.51.100.2\n", with: "    links: {dac: {ip: 198.51.100.2, interface: ↓enp1s0f1np0}}\n"),
        ],
        nonTriggering: [
            .clean(.sparkPair),
            RuleExample(.sparkPair, replacing: "    dac_ip: 198.51.100.2\n", with: "    dac_ip: 198.51.100.2\n    dac_interface: enp1s0f0np0\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for cluster in context.plan.clusters where cluster.isMultiNode {
            guard let link = cluster.link?.name, let head = context.plan.node(named: cluster.head.name)?.interface(on: link) else { continue }
            for worker in cluster.workers {
                guard let interface = context.plan.node(named: worker.name)?.interface(on: link), interface.device != head.device else { continue }
                findings.append(
                    RuleFinding(
                        "node '\(worker.name)' names its interface on \(interface.link.phrase) '\(interface.device ?? "")' but the head '\(cluster.head.name)' of model '\(cluster.name)' uses '\(head.device ?? "")'",
                        at: interface.devicePath))
            }
        }
        return findings
    }
}
