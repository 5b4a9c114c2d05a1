import SparkSpec

/// Which vantage point reaches which listening port of which node, derived from the plan's
/// bind addresses, firewall rules and tailnet policies.
///
/// It models what real nodes do: tailscaled accepts everything arriving on tailscale0 ahead
/// of ufw, so there the tailnet policy and the listener's address decide; on the DAC and mgmt
/// links ufw decides, first match wins, default deny; and Linux answers for any of its
/// addresses on any interface, so a mgmt neighbour may also try the node's DAC address.
public struct Reachability: Sendable {
    /// One cell of the matrix.
    public struct Entry: Sendable {
        public let node: String
        public let service: Service
        public let vantage: Vantage
        public let reachable: Bool
    }

    public let entries: [Entry]
    public let vantages: [Vantage]

    /// Every vantage against every listener: the full matrix `spark-gen trust` prints and the
    /// network-namespace proof probes. It grows with the square of the fleet.
    public init(_ plan: Plan) {
        var vantages: [Vantage] = [.local, .ownTailnet]
        vantages += plan.tailnets.map { .otherTailnet($0.tailnet.name) }
        vantages += plan.nodes.map { .dacPeer($0.name) }
        vantages.append(.mgmtLAN)
        self.init(plan, vantages: vantages) { _ in vantages }
    }

    /// Only the vantages that can differ from a default deny for each node: its own tailnet,
    /// the tailnets it is shared with, its DAC partners and the mgmt LAN. Linear in the fleet,
    /// for pictures and reviews of large topologies; another node or tailnet is refused by the
    /// firewall's default and the policy unless the plan names it.
    public static func relevant(_ plan: Plan) -> Reachability {
        Reachability(plan, vantages: []) { node in
            var vantages: [Vantage] = [.local, .ownTailnet]
            vantages += node.tailnet.shares.filter { $0.nodes.contains(node.name) }.map { .otherTailnet($0.tailnet) }
            vantages += node.dacPartners.map { .dacPeer($0) }
            vantages.append(.mgmtLAN)
            return vantages
        }
    }

    private init(_ plan: Plan, vantages: [Vantage], for nodeVantages: (NodePlan) -> [Vantage]) {
        self.vantages = vantages
        var entries: [Entry] = []
        let neighbour = Self.mgmtNeighbour(plan)
        for node in plan.nodes {
            let firewall = FirewallPlanner.rules(for: node, in: plan)
            let vantages = nodeVantages(node)
            for service in Self.listeners(of: node) {
                for vantage in vantages {
                    guard let reachable = Self.reaches(vantage, service, on: node, plan: plan, firewall: firewall, mgmtNeighbour: neighbour)
                    else { continue }
                    entries.append(Entry(node: node.name, service: service, vantage: vantage, reachable: reachable))
                }
            }
        }
        self.entries = entries
    }

    /// What listens on a node as the trust model sees it: sshd, then the plan's services.
    public static func listeners(of node: NodePlan) -> [Service] { [Service.ssh] + node.services }

    /// The owners other than the node's own on whose behalf traffic from `vantage` arrives (none
    /// for the node itself and the mgmt LAN, which stand for no owner).
    public static func otherOwners(of vantage: Vantage, toward node: NodePlan, in plan: Plan) -> [String] {
        let owners: [String]
        switch vantage {
        case .local, .mgmtLAN: owners = []
        case .ownTailnet: owners = plan.tailnets.first { $0.tailnet.name == node.tailnet.name }?.owners ?? []
        case .otherTailnet(let name): owners = plan.tailnets.first { $0.tailnet.name == name }?.owners ?? []
        case .dacPeer(let name): owners = plan.node(named: name).map { [$0.owner.name] } ?? []
        }
        return owners.filter { $0 != node.owner.name }
    }

    public func isReachable(_ node: String, port: Int, from vantage: Vantage) -> Bool {
        entries.contains { $0.node == node && $0.service.port == port && $0.vantage == vantage && $0.reachable }
    }

    /// Nil when the vantage does not apply (a node is not its own DAC peer, its own tailnet is not "other").
    static func reaches(_ vantage: Vantage, _ service: Service, on node: NodePlan, plan: Plan, firewall: [FirewallRuleSpec], mgmtNeighbour neighbour: IPv4Address) -> Bool? {
        let bind = service.bindAddress
        let wildcard = service.bindsEveryAddress
        switch vantage {
        case .local:
            return true
        case .ownTailnet:
            let granted = policyGrants(node.tailnet, port: service.port, plan: plan)
            return tailnetReaches(service, on: node, granted: granted, routesCoverDAC: routesCoverDAC(node, plan))
        case .otherTailnet(let name):
            guard name != node.tailnet.name else { return nil }
            let shared = sharedPorts(of: node, with: name, plan: plan).contains(service.port)
            return tailnetReaches(service, on: node, granted: shared, routesCoverDAC: false)
        case .dacPeer(let name):
            guard name != node.name, let peer = plan.node(named: name) else { return nil }
            guard wildcard || bind == node.node.dacIP.description else { return false }
            return allows(firewall, interface: node.dacInterface, source: peer.node.dacIP, destination: node.node.dacIP, port: service.port)
        case .mgmtLAN:
            // `neighbour` is a host that is not a node: the first free address of the mgmt subnet.
            let interface = node.mgmtInterface ?? "mgmt"
            var targets: [IPv4Address] = []
            if wildcard || bind == node.node.mgmtIP.description { targets.append(node.node.mgmtIP) }
            if wildcard || bind == node.node.dacIP.description { targets.append(node.node.dacIP) }
            return targets.contains { allows(firewall, interface: interface, source: neighbour, destination: $0, port: service.port) }
        }
    }

    /// Tailnet traffic bypasses ufw: the policy must grant the port, and something must listen on
    /// the tailnet address (a wildcard bind, or `tailscale serve` in front of a loopback listener).
    static func tailnetReaches(_ service: Service, on node: NodePlan, granted: Bool, routesCoverDAC: Bool) -> Bool {
        let bind = service.bindAddress
        if routesCoverDAC && bind == node.node.dacIP.description { return true }
        guard granted else { return false }
        if service.bindsEveryAddress { return true }
        return service.isTailnetFacing && service.isLoopbackOnly
    }

    /// Whether the tailnet's policy lets its first user (the one its tests run as) reach `port` on its tag.
    static func policyGrants(_ tailnet: Tailnet, port: Int, plan: Plan) -> Bool {
        guard let tailnetPlan = plan.tailnets.first(where: { $0.tailnet.name == tailnet.name }) else { return false }
        return tailnetPlan.policy.allows(tailnet.users[0], to: tailnet.tag, port: port)
    }

    static func sharedPorts(of node: NodePlan, with tailnet: String, plan: Plan) -> Set<Int> {
        let accepted = plan.topology.tailnet(named: tailnet)?.accepts.contains {
            $0.tailnet == node.tailnet.name && $0.nodes.contains(node.name)
        } ?? false
        guard accepted else { return [] }
        return Set(node.tailnet.shares.filter { $0.tailnet == tailnet && $0.nodes.contains(node.name) }.flatMap(\.ports))
    }

    static func routesCoverDAC(_ node: NodePlan, _ plan: Plan) -> Bool {
        node.node.advertiseRoutes.contains { $0.overlaps(plan.topology.links.dac.subnet) }
    }

    /// The address the model gives a mgmt-LAN host that is not a node: the first free one.
    public static func mgmtNeighbour(_ plan: Plan) -> IPv4Address {
        let subnet = plan.topology.links.mgmt.subnet
        let used = Set(plan.nodes.map(\.node.mgmtIP))
        var candidate = IPv4Address(subnet.networkAddress.value &+ 1)
        while used.contains(candidate) && subnet.contains(IPv4Address(candidate.value &+ 1)) {
            candidate = IPv4Address(candidate.value &+ 1)
        }
        return candidate
    }

    /// First matching rule decides; no match is a deny (ufw's default for incoming traffic).
    static func allows(_ rules: [FirewallRuleSpec], interface: String, source: IPv4Address, destination: IPv4Address, port: Int) -> Bool {
        for rule in rules {
            if let ruleInterface = rule.interface, ruleInterface != interface { continue }
            if let ruleSource = rule.source, !matches(ruleSource, source) { continue }
            if let ruleDestination = rule.destination, !matches(ruleDestination, destination) { continue }
            if let rulePort = rule.port, rulePort != port { continue }
            if let proto = rule.proto, proto != "tcp" { continue }
            return rule.action == .allow
        }
        return false
    }

    static func matches(_ pattern: String, _ address: IPv4Address) -> Bool {
        if let network = IPv4Network(pattern) { return network.contains(address) }
        return IPv4Address(pattern) == address
    }
}
