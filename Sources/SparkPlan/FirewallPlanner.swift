import SparkSpec

/// Derives each node's host-firewall rules from the plan, in evaluation order.
///
/// The ufw emitter prints these rules and the reachability model evaluates them, so the
/// firewall on the node and the trust report cannot disagree.
public enum FirewallPlanner {
    ///
    /// The generated rules come first and the topology's own rules after them. ufw stops at the
    /// first rule that matches, so a topology rule can never reopen what a generated deny keeps
    /// out (ssh and app ports from a cross-owner link peer); TR002 refuses a topology rule that an
    /// earlier deny would cut short, so every rule that is emitted does what its text says.
    public static func rules(for node: NodePlan, in plan: Plan) -> [FirewallRuleSpec] {
        generatedRules(for: node, in: plan) + node.firewall.map(spec)
    }

    /// A topology rule (`nodes.<n>.firewall[]`) as ufw is told it.
    public static func spec(_ extra: FirewallRule) -> FirewallRuleSpec {
        FirewallRuleSpec(
            .allow, on: extra.interface, from: extra.from?.description, port: extra.port, proto: extra.proto.rawValue,
            comment: extra.comment ?? "topology rule \(extra.path)")
    }

    /// The rules spark-gen derives from the plan, in evaluation order, without the topology's own.
    public static func generatedRules(for node: NodePlan, in plan: Plan) -> [FirewallRuleSpec] {
        var rules: [FirewallRuleSpec] = []
        for lan in node.lans {
            rules.append(
                FirewallRuleSpec(
                    .allow, on: lan.device, from: lan.link.subnet.description, to: lan.address.description, port: 22, proto: "tcp",
                    comment: "ssh from \(lan.link.phrase)"))
        }
        for service in node.services where service.isTailnetFacing {
            rules.append(
                FirewallRuleSpec(
                    .allow, on: tailscaleInterface, port: service.port, proto: "tcp", comment: "\(service.name) for tailnet \(node.tailnet.name)"))
        }
        for service in node.services {
            guard case .hosts(let link, let names) = service.exposure, let own = node.interface(on: link) else { continue }
            for name in names {
                guard let address = plan.host(named: name)?.interface(on: link)?.address else { continue }
                rules.append(
                    FirewallRuleSpec(
                        .allow, on: own.device, from: address.description, to: own.address.description, port: service.port, proto: "tcp",
                        comment: "\(service.name) for host \(name)"))
            }
        }
        rules += LANModel.firewallRules(for: node, in: plan)
        rules += OfferPlan.firewallRules(for: node, in: plan)
        if node.tailnet.ssh {
            rules.append(FirewallRuleSpec(.allow, on: tailscaleInterface, port: 22, proto: "tcp", comment: "ssh for tailnet \(node.tailnet.name)"))
        }
        let appPorts = node.services.filter { if case .app = $0.role { return true } else { return false } }.map(\.port)
        for interface in node.clusterInterfaces {
            let link = interface.link
            let own = interface.address.description
            for peer in inboundPeers(of: node, on: link.name, in: plan) {
                guard let peerIP = peer.interface(on: link.name)?.address.description else { continue }
                // A cluster peer is admitted on every port below, ssh included, unless this comes first.
                rules.append(
                    FirewallRuleSpec(
                        .deny, on: interface.device, from: peerIP, port: 22, proto: "tcp", comment: "no ssh from \(peer.name) over \(link.phrase)"))
                for port in appPorts {
                    rules.append(
                        FirewallRuleSpec(
                            .deny, on: interface.device, from: peerIP, port: port, proto: "tcp",
                            comment: "no app access from \(peer.name) over \(link.phrase)"))
                }
                for service in node.services {
                    guard case .linkPeers(link.name, let peers) = service.exposure, peers.contains(peer.name) else { continue }
                    rules.append(
                        FirewallRuleSpec(
                            .allow, on: interface.device, from: peerIP, to: own, port: service.port, proto: "tcp",
                            comment: "\(service.name) for \(peer.name)"))
                }
                if isClusterPeer(node, peer, on: link.name) {
                    // NCCL and Ray's object manager and workers connect on ephemeral ports in both directions.
                    rules.append(
                        FirewallRuleSpec(
                            .allow, on: interface.device, from: peerIP, to: own, comment: "Ray and NCCL from cluster peer \(peer.name)"))
                }
            }
        }
        return rules
    }

    /// The interface tailscaled creates; traffic on it is accepted before ufw's chains.
    public static let tailscaleInterface = "tailscale0"

    /// Nodes that come in to this one over `link`: its cluster peers there and the callers of its
    /// services there, in file order.
    public static func inboundPeers(of node: NodePlan, on link: String, in plan: Plan) -> [NodePlan] {
        var names = Set(node.clusterRoles.filter { $0.cluster.link?.name == link }.flatMap { $0.cluster.members.map(\.name) })
        for service in node.services {
            if case .linkPeers(link, let peers) = service.exposure { names.formUnion(peers) }
        }
        names.remove(node.name)
        return names.compactMap { plan.position(of: $0) }.sorted().map { plan.nodes[$0] }
    }

    public static func isClusterPeer(_ node: NodePlan, _ other: NodePlan, on link: String) -> Bool {
        node.clusterRoles.contains { role in role.cluster.link?.name == link && role.cluster.members.contains { $0.name == other.name } }
    }
}
