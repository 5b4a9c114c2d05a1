import SparkPlan

/// `/etc/netplan/60-spark-gen-<link>.yaml` on every node with an address on a direct link or a
/// fabric: the port (and its other PCIe half), the address with the link's prefix, and the
/// link's MTU. A fresh DGX Spark's QSFP ports have no address, and without one the Ray worker
/// retries `ray start --address=…` forever.
///
/// Only what the topology says: no gateway or route (the link carries cluster traffic between
/// its own addresses), no renderer (the OS's default stays, as NVIDIA's connect-two-sparks
/// playbook leaves it), and `optional: true` so that boot does not wait for a cable that is
/// unplugged. A LAN gets nothing: its configuration is the operator's.
///
/// Mode 0600 and root's: netplan warns "Permissions for … are too open" on a file others can
/// read (netplan.io 0.106, `netplan generate`), and the playbook sets 0600 (NVIDIA/
/// dgx-spark-playbooks, nvidia/connect-two-sparks/README.md: `sudo chmod 600 /etc/netplan/40-cx7.yaml`).
struct NetplanEmitter {
    static let directory = "/etc/netplan"

    /// The file of one link on a node; lexically after the OS's own (`01-network-manager-all.yaml`,
    /// `50-cloud-init.yaml`), so a setting here wins where both name the interface.
    static func path(_ link: LinkPlan) -> String {
        "\(directory)/60-spark-gen-\(link.name).yaml"
    }

    /// The node's links that get a file: direct links and fabrics it has a named port on.
    static func interfaces(_ node: NodePlan) -> [NodeInterface] {
        node.clusterInterfaces.filter { $0.device != nil }
    }

    func artifacts(for plan: Plan) -> [Artifact] {
        plan.nodes.flatMap { node in
            Self.interfaces(node).map { interface in
                Artifact(path: Layout.nodeFile(node, Self.path(interface.link)), contents: render(plan, node, interface), mode: .privateFile)
                    .marked { marks in
                        if let device = interface.device { marks.block("\(device):", [interface.path, interface.devicePath]) }
                        if let second = interface.second { marks.block("\(second.device):", [interface.path]) }
                    }
            }
        }
    }

    /// The ports of `interface` as netplan lines (also what the runbook writes with `tee`).
    func render(_ plan: Plan, _ node: NodePlan, _ interface: NodeInterface) -> String {
        let about = [
            "Addresses of \(node.name) on \(interface.link.phrase); RUNBOOK.md installs it (mode 0600) and runs 'netplan apply'."
        ]
        var text = Header(plan, node: node.name, about: about).comment()
        text += "network:\n  version: 2\n  ethernets:\n"
        let prefix = interface.link.subnet.prefixLength
        var ports: [(String, String)] = []
        if let device = interface.device { ports.append((device, "\(interface.address)/\(prefix)")) }
        // The other half has no subnet of its own in the topology: it takes the link's prefix
        // length (connect-two-sparks gives both halves a /24 of their own).
        if let second = interface.second { ports.append((second.device, "\(second.address)/\(prefix)")) }
        for (device, address) in ports {
            text += "    \(device):\n"
            text += "      addresses: [\(address)]\n"
            if let mtu = interface.link.mtu { text += "      mtu: \(mtu)\n" }
            text += "      optional: true\n"
        }
        return text
    }
}
