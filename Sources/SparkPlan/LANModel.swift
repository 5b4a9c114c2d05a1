import SparkSpec

/// A model served over a LAN: one node's model called by the LiteLLM of nodes that share a LAN
/// with it and no direct link or fabric (a homelab's workstation calling the box with the GPU).
///
/// The LAN keeps its MTU and its ssh; the firewall admits the model's port from its callers'
/// LAN addresses alone (`FirewallPlanner.lanServiceRules`), so a LAN neighbour that is not a
/// caller is refused. Ray and NCCL never run over a LAN: a cluster of nodes still needs a direct
/// link or a fabric.
public enum LANModel {
    /// What each link kind carries, and the way that needs no link: said wherever a model's
    /// nodes and callers have no link to use.
    public static let linkKindsHelp =
        "a cluster of nodes (Ray, NCCL) needs one direct link (two nodes) or fabric (more); a node whose LiteLLM calls a one-node model reaches it over a direct link, a fabric or a LAN it shares with the model's node; or serve the model with 'listen: tailnet' and an 'api_key' and call it over the tailnet"

    /// The LANs every caller shares with a one-node model's node, asked when they share no
    /// direct link or fabric; none for a cluster of nodes. The model uses the one, or names one
    /// of several with `cluster.link`.
    static func sharedLANs(members: [Node], callers: ArraySlice<Node>, links: [LinkPlan], index: [String: Int]) -> [LinkPlan] {
        guard members.count == 1, let head = members.first, !callers.isEmpty else { return [] }
        return head.addresses.compactMap { address -> LinkPlan? in
            guard let position = index[address.link], links[position].kind == .lan else { return nil }
            return callers.allSatisfy { $0.address(on: address.link) != nil } ? links[position] : nil
        }
    }
}

extension LANModel {
    /// The firewall rules that admit a LAN-served model's callers: its port, from each caller's
    /// address on the LAN to the node's, and nothing else (ufw's default denies the rest of the
    /// LAN, ssh excepted, which the LAN keeps).
    public static func firewallRules(for node: NodePlan, in plan: Plan) -> [FirewallRuleSpec] {
        var rules: [FirewallRuleSpec] = []
        for lan in node.lans {
            for service in node.services {
                guard case .linkPeers(lan.link.name, let callers) = service.exposure else { continue }
                for caller in callers {
                    guard let address = plan.node(named: caller)?.interface(on: lan.link.name)?.address else { continue }
                    rules.append(
                        FirewallRuleSpec(
                            .allow, on: lan.device, from: address.description, to: lan.address.description, port: service.port, proto: "tcp",
                            comment: "\(service.name) for \(caller) over \(lan.link.phrase)"))
                }
            }
        }
        return rules
    }

    /// The link-peer vantages on LANs: the nodes that call a model over a LAN, and its node.
    /// (Every node on a direct link or fabric is a vantage; on a LAN only these differ from its
    /// anonymous neighbour.)
    static func peerVantages(_ plan: Plan) -> [Vantage] {
        var seen = Set<String>()
        var vantages: [Vantage] = []
        for link in plan.lans {
            for node in plan.nodes where node.linkPeers.contains(where: { $0.link == link.name }) && seen.insert("\(link.name) \(node.name)").inserted {
                vantages.append(.linkPeer(node.name, link: link.name))
            }
        }
        return vantages
    }
}
