import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL026: a cluster of machines whose ports are several RDMA devices gives NCCL all of them.
struct FullWidthRoCERule: Rule {
    let description = RuleDescription(
        id: "CL026",
        title: "every RDMA device of the cluster's port goes to NCCL",
        rationale: """
            A DGX Spark's QSFP port is two PCIe halves: two network interfaces (enp1s0f0np0 and \
            enP2p1s0f0np0) and two RDMA devices (rocep1s0f0 and roceP2p1s0f0). NCCL pinned to one \
            device moves tensors at about half the link's 200 Gb/s; NVIDIA's playbooks give each \
            half an address and NCCL every device (NVIDIA/dgx-spark-playbooks, connect-two-sparks, \
            nccl and multi-sparks-through-switch). The machines whose ports are split, and into how \
            many devices, are in SparkPlan/Facts/MachineFacts.swift.
            """,
        severity: .warning,
        help: "give the link both devices (hca: [rocep1s0f0, roceP2p1s0f0]), its second_interface, and each node its second_ip",
        triggering: [
            RuleExample(.sparkPair, replacing: "hca: [rocep1s0f0, roceP2p1s0f0]", with: "hca: ↓rocep1s0f0"),
            RuleExample(.sparkPair, replacing: "    dac_ip: 198.51.100.2\n    dac_second_ip: 198.51.100.10\n", with: "    dac_ip: ↓198.51.100.2\n"),
        ],
        nonTriggering: [.clean(.sparkPair), .clean(.catalog)])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for cluster in context.plan.clusters where cluster.isMultiNode {
            guard let link = cluster.link else { continue }
            for member in cluster.members {
                guard let split = MachineFacts.fact(kind: member.hardware.kind)?.rdmaDevicesPerPort,
                    let node = context.plan.node(named: member.name), let port = node.interface(on: link.name), !port.hcas.isEmpty
                else { continue }
                if port.hcas.count < split.count {
                    findings.append(
                        RuleFinding(
                            "model '\(cluster.name)': NCCL on node '\(node.name)' gets \(port.hcas.joined(separator: ", ")) of the \(split.count) RDMA devices of a \(member.hardware.kind) port, about \(port.hcas.count) / \(split.count) of the link's width (\(split.source))",
                            at: link.path / "hca"))
                } else if port.second == nil {
                    findings.append(
                        RuleFinding(
                            "model '\(cluster.name)': node '\(node.name)' has no address on the other half of its port on \(link.phrase), so RoCE cannot use the second device (\(split.source))",
                            at: port.path))
                }
            }
        }
        return findings
    }
}
