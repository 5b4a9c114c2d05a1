import SparkSpec

/// Derives each node's host-firewall rules from the plan, in evaluation order.
///
/// The ufw emitter prints these rules and the reachability model evaluates them, so the
/// firewall on the node and the trust report cannot disagree.
public enum FirewallPlanner {
    public static func rules(for node: NodePlan, in plan: Plan) -> [FirewallRuleSpec] {
        var rules: [FirewallRuleSpec] = []
        let mgmt = plan.topology.links.mgmt
        rules.append(FirewallRuleSpec(
            .allow, on: node.mgmtInterface, from: mgmt.subnet.description, to: node.node.mgmtIP.description, port: 22, proto: "tcp",
            comment: "ssh from the mgmt LAN"))
        for service in node.services where service.isTailnetFacing {
            rules.append(FirewallRuleSpec(
                .allow, on: tailscaleInterface, port: service.port, proto: "tcp", comment: "\(service.name) for tailnet \(node.tailnet.name)"))
        }
        if node.tailnet.ssh {
            rules.append(FirewallRuleSpec(.allow, on: tailscaleInterface, port: 22, proto: "tcp", comment: "ssh for tailnet \(node.tailnet.name)"))
        }
        let appPorts = node.services.filter { if case .app = $0.role { return true } else { return false } }.map(\.port)
        let ownDAC = node.node.dacIP.description
        for peer in dacPeers(of: node, in: plan) {
            let peerIP = peer.node.dacIP.description
            // A cluster peer is admitted on every port below, ssh included, unless this comes first.
            rules.append(FirewallRuleSpec(
                .deny, on: node.dacInterface, from: peerIP, port: 22, proto: "tcp", comment: "no ssh from \(peer.name) over the DAC"))
            for port in appPorts {
                rules.append(FirewallRuleSpec(
                    .deny, on: node.dacInterface, from: peerIP, port: port, proto: "tcp", comment: "no app access from \(peer.name) over the DAC"))
            }
            for service in node.services {
                guard case .dacPeers(let peers) = service.exposure, peers.contains(peer.name) else { continue }
                rules.append(FirewallRuleSpec(
                    .allow, on: node.dacInterface, from: peerIP, to: ownDAC, port: service.port, proto: "tcp",
                    comment: "\(service.name) for \(peer.name)"))
            }
            if isClusterPeer(node, peer) {
                // NCCL and Ray's object manager and workers connect on ephemeral ports in both directions.
                rules.append(FirewallRuleSpec(
                    .allow, on: node.dacInterface, from: peerIP, to: ownDAC, comment: "Ray and NCCL from cluster peer \(peer.name)"))
            }
        }
        for extra in node.node.firewall {
            rules.append(FirewallRuleSpec(
                .allow, on: extra.interface, from: extra.from?.description, port: extra.port, proto: extra.proto.rawValue,
                comment: extra.comment ?? "topology rule \(extra.path)"))
        }
        return rules
    }

    /// The interface tailscaled creates; traffic on it is accepted before ufw's chains.
    public static let tailscaleInterface = "tailscale0"

    /// Nodes that talk to this one over the DAC: cluster peers and callers of its services.
    public static func dacPeers(of node: NodePlan, in plan: Plan) -> [NodePlan] {
        var names = Set(node.clusterRoles.flatMap { $0.cluster.members.map(\.name) })
        for service in node.services {
            if case .dacPeers(let peers) = service.exposure { names.formUnion(peers) }
        }
        names.remove(node.name)
        return names.compactMap { plan.position(of: $0) }.sorted().map { plan.nodes[$0] }
    }

    public static func isClusterPeer(_ node: NodePlan, _ other: NodePlan) -> Bool {
        node.clusterRoles.contains { role in role.cluster.members.contains { $0.name == other.name } }
    }
}
