import SparkPlan

/// The runbook's step that puts the node's addresses and MTU on its direct links and fabrics,
/// before the firewall: a fresh DGX Spark's QSFP ports have none, and a Ray worker then retries
/// `ray start --address=…` forever while the head waits for its GPUs.
extension RunbookEmitter {
    static let linkStep = "Cluster links"

    func writeClusterLinks(_ plan: Plan, _ node: NodePlan, into book: inout RunbookWriter) {
        let interfaces = NetplanEmitter.interfaces(node)
        guard !interfaces.isEmpty else { return }
        book.heading(interfaces.count == 1 ? "\(Self.linkStep): \(interfaces[0].link.label)" : Self.linkStep, kind: .clusterLinks)
        let paths = interfaces.map { NetplanEmitter.path($0.link) }
        book.creates(paths)
        let links = interfaces.map(\.link.phrase)
        book.note(
            "Puts this node's address\(interfaces.count == 1 ? "" : "es") and the MTU of "
                + (links.count == 1 ? links[0] : links.dropLast().joined(separator: ", ") + " and " + links.last!)
                + " on its ports, with netplan, as NVIDIA's connect-two-sparks playbook does, and nothing else: no gateway, "
                + "no route, nothing for a LAN. Each file is root's and private (netplan warns about one others can read), and "
                + "is in the output tree too, where the playbook's `files` tag copies it from. If a port was set up by hand before "
                + "(the playbook's `/etc/netplan/40-cx7.yaml`, or a NetworkManager connection), remove that first: netplan merges "
                + "every file, and an old address would stay.")
        if node.hardware.kind != Self.guideHardware {
            // DGX OS is Ubuntu, which has netplan; another box's OS may not.
            book.note(
                "netplan comes with Ubuntu (and DGX OS); on a system without it, give the ports the same addresses and MTU "
                    + "with the system's own network configuration instead.")
        }
        var commands: [RunbookCommand] = []
        let emitter = NetplanEmitter()
        for (interface, path) in zip(interfaces, paths) {
            // Made empty with mode 0600 first, so the addresses are never world-readable, even for a moment.
            commands.append(RunbookCommand("sudo install -m 600 -o root -g root /dev/null \(path)"))
            commands.append(RunbookCommand("sudo tee \(path) >/dev/null <<'EOF'\n" + emitter.render(plan, node, interface) + "EOF"))
        }
        // `netplan try` waits for a key press and rolls back without one (the prose says so).
        commands.append(RunbookCommand("sudo netplan apply"))
        for interface in interfaces {
            var ports: [(String, String)] = []
            if let device = interface.device { ports.append((device, interface.address.description)) }
            if let second = interface.second { ports.append((second.device, second.address.description)) }
            for (device, address) in ports {
                commands.append(
                    .check("ip -br addr show dev \(device)          # \(address)/\(interface.link.subnet.prefixLength), state UP once the cable is in"))
                if let mtu = interface.link.mtu {
                    commands.append(.check("ip link show \(device) | grep -o 'mtu [0-9]*'   # mtu \(mtu)"))
                }
            }
        }
        book.commands(commands)
        // netplan.io 0.106, netplan/cli/commands/apply.py: with NetworkManager it disconnects and
        // flushes every interface netplan gave it, then restarts NetworkManager; NetworkManager
        // keeps its connections as netplan files since Ubuntu 23.10 (netplan docs, "netplan-everywhere").
        book.note(
            "`netplan apply`, not `netplan try`: try waits for a key press and rolls back without one. Where NetworkManager "
                + "runs the ports, apply disconnects every interface netplan handed it and restarts NetworkManager; if the LAN is "
                + "one of them (Ubuntu 23.10 and later keep NetworkManager's own connections in `/etc/netplan/90-NM-*.yaml`), an ssh "
                + "session over it can drop for a moment: run this step at the console or inside `tmux`. An MTU the NIC or the switch does not carry shows up as a smaller `mtu` here, "
                + "or as NCCL hanging later: set `mtu` on the link to what both carry. `scripts/verify.sh` checks the addresses "
                + "and the MTU again at the end.")
    }
}
