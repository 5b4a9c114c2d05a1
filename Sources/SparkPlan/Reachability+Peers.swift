import SparkSpec

extension Reachability {
    /// Whether `caller`, from its own address on `link`, reaches `service` of `node` at the node's
    /// address on that link: the listener binds there (or every address) and `firewall`, the
    /// node's rules (`FirewallPlanner.rules`, what its firewall.sh writes), admits the caller
    /// there, first match wins. False when either is not on the link.
    ///
    /// The verify scripts ask this for each peer port they probe, so a port one node expects to
    /// answer and the port its peer's firewall opens to it are one decision: a refusal can never
    /// target a port the peer admits the caller to.
    public static func admits(
        _ service: Service, on node: NodePlan, from caller: NodePlan, link: String, firewall: [FirewallRuleSpec]
    ) -> Bool {
        guard caller.name != node.name, let own = node.interface(on: link), let source = caller.interface(on: link) else { return false }
        return admitsAny([own.address], service, firewall, interface: own.device ?? link, source: source.address)
    }
}
