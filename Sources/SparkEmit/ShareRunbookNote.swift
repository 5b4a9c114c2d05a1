import SparkPlan

/// The console step of a node its tailnet shares with another tailnet's users: a share exists only
/// once someone sends and accepts it, and no policy file or script can do that part.
enum ShareRunbookNote {
    /// One paragraph per share of the node, for its tailnet step.
    static func notes(for node: NodePlan, in plan: Plan) -> [String] {
        let shares = (plan.tailnet(named: node.tailnet.name)?.shares ?? []).filter { $0.nodes.contains(node.name) }
        return shares.map { share in
            let users = plan.tailnet(named: share.tailnet)?.users ?? []
            let ports = share.ports.sorted().map(String.init).joined(separator: ", ")
            var text = "Share this machine with the users of tailnet \(share.tailnet) (\(users.joined(separator: ", "))) in the admin console: "
            text += "Machines, this machine's menu, Share, and send the invite to each of them (tailscale.com/kb/1084/sharing). "
            text += "A machine is shared with users, never with a tag or a tagged device (\"Devices cannot be shared with a tag or with "
            text += "another tagged device\", ibid.; tailscale/tailscale#5321): the nodes of \(share.tailnet) cannot use the share, "
            text += "only its people. "
            if let address = node.tailnetIP {
                text += "The policy admits whoever accepts (autogroup:shared) to port\(share.ports.count == 1 ? "" : "s") \(ports) on \(address) "
                text += "and nothing else."
            } else {
                // A grant to the tag does not admit shared-in users (tailscale/tailscale#14445).
                text += "The policy admits them to nothing yet: it grants shared-in users this machine's tailnet address, which the "
                text += "topology does not state (add its tailnet_ip; ST012)."
            }
            return text
        }
    }
}
