import SparkPlan

/// `scripts/firewall.sh` for each node: the ufw rules that make the DAC and mgmt interfaces
/// carry only what the plan allows.
///
/// ufw is defence in depth, not the control for the tailnet: tailscaled accepts everything
/// arriving on tailscale0 ahead of ufw's chains, so there the tailnet policy and the loopback
/// bind addresses do the work. On the DAC and mgmt links ufw is what stops a neighbour that
/// routes to any of the node's addresses (Linux answers on every interface for every address).
struct FirewallEmitter {
    func artifacts(for plan: Plan) -> [Artifact] {
        plan.nodes.map { node in
            Artifact(path: Layout.stackFile(node, "scripts/firewall.sh"), contents: script(plan, node), mode: .executable)
        }
    }

    /// One ufw command with the comment ufw stores beside the rule.
    struct Rule: Hashable {
        let arguments: String
        let comment: String

        var command: String { "ufw \(arguments) comment \(Shell.quote(comment))" }
    }

    /// The node's rules in the order ufw evaluates them (first match wins).
    func rules(_ plan: Plan, _ node: NodePlan) -> [Rule] {
        var rules: [Rule] = []
        let mgmt = plan.topology.links.mgmt
        let on = node.mgmtInterface.map { "on \($0) " } ?? ""
        rules.append(Rule(
            arguments: "allow in \(on)from \(mgmt.subnet) to \(node.node.mgmtIP) port 22 proto tcp",
            comment: "ssh from the mgmt LAN"))
        for service in node.services where service.isTailnetFacing {
            rules.append(Rule(
                arguments: "allow in on tailscale0 to any port \(service.port) proto tcp",
                comment: "\(service.name) for tailnet \(node.tailnet.name)"))
        }
        if node.tailnet.ssh {
            rules.append(Rule(arguments: "allow in on tailscale0 to any port 22 proto tcp", comment: "ssh for tailnet \(node.tailnet.name)"))
        }
        let appPorts = node.services.filter { if case .app = $0.role { return true } else { return false } }.map(\.port)
        let dac = node.dacInterface
        let ownDAC = node.node.dacIP
        for peer in dacPeers(plan, node) {
            let peerIP = peer.node.dacIP
            for port in appPorts {
                rules.append(Rule(
                    arguments: "deny in on \(dac) from \(peerIP) to any port \(port) proto tcp",
                    comment: "no app access from \(peer.name) over the DAC"))
            }
            for service in node.services {
                guard case .dacPeers(let peers) = service.exposure, peers.contains(peer.name) else { continue }
                rules.append(Rule(
                    arguments: "allow in on \(dac) from \(peerIP) to \(ownDAC) port \(service.port) proto tcp",
                    comment: "\(service.name) for \(peer.name)"))
            }
            if isClusterPeer(node, peer) {
                // NCCL and Ray's object manager and workers connect on ephemeral ports in both directions.
                rules.append(Rule(
                    arguments: "allow in on \(dac) from \(peerIP) to \(ownDAC)",
                    comment: "Ray and NCCL from cluster peer \(peer.name)"))
            }
        }
        for extra in node.node.firewall {
            let on = extra.interface.map { "on \($0) " } ?? ""
            let from = extra.from.map { "from \($0) " } ?? ""
            rules.append(Rule(
                arguments: "allow in \(on)\(from)to any port \(extra.port) proto \(extra.proto.rawValue)",
                comment: extra.comment ?? "topology rule \(extra.path)"))
        }
        return rules
    }

    /// Nodes that talk to this one over the DAC: cluster peers and callers of its services.
    func dacPeers(_ plan: Plan, _ node: NodePlan) -> [NodePlan] {
        plan.nodes.filter { other in
            guard other.name != node.name else { return false }
            if isClusterPeer(node, other) { return true }
            return node.services.contains { service in
                if case .dacPeers(let peers) = service.exposure { return peers.contains(other.name) }
                return false
            }
        }
    }

    func isClusterPeer(_ node: NodePlan, _ other: NodePlan) -> Bool {
        node.clusterRoles.contains { role in role.cluster.members.contains { $0.name == other.name } }
    }

    private func script(_ plan: Plan, _ node: NodePlan) -> String {
        let header = Header(plan, node: node.name, about: [
            "Host firewall of \(node.name). Resets ufw to exactly these rules, so rules pasted by hand",
            "earlier (an 'allow 8001' on every interface, say) do not survive.",
            "tailscaled accepts tailscale0 traffic before ufw: the tailnet policy guards that interface.",
            "Run as root: sudo \(Layout.stackPath(node, "scripts/firewall.sh"))",
        ])
        var script = "#!/usr/bin/env bash\n" + header.comment() + "set -euo pipefail\n\n"
        script += "if [ \"$(id -u)\" -ne 0 ]; then\n  echo \"run as root: sudo $0\" >&2\n  exit 1\nfi\n\n"
        script += "ufw --force reset\n"
        script += "ufw default deny incoming\n"
        script += "ufw default allow outgoing\n"
        for rule in rules(plan, node) {
            script += rule.command + "\n"
        }
        script += "ufw --force enable\n"
        script += "ufw status verbose\n"
        return script
    }
}
