import SparkSpec

/// Which vantage point reaches which listening port of which node, derived from the plan's
/// bind addresses, firewall rules and tailnet policies.
///
/// It models what real nodes do: tailscaled accepts everything arriving on tailscale0 ahead
/// of ufw, so there the tailnet policy and the listener's address decide; on direct links,
/// fabrics and LANs ufw decides, first match wins, default deny; and Linux answers for any of
/// its addresses on any interface, so a LAN neighbour or a link peer may also try the node's
/// other addresses through the link they share.
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
        var vantages: [Vantage] = [.local, .ownTailnet, .tailnetTag]
        vantages += plan.tailnets.map { .otherTailnet($0.name) }
        for link in plan.links where link.kind.carriesClusterTraffic {
            vantages += plan.nodes.filter { $0.interface(on: link.name) != nil }.map { .linkPeer($0.name, link: link.name) }
        }
        vantages += LANModel.peerVantages(plan)
        let listed = vantages
        vantages += OfferPlan.vantages(plan).filter { !listed.contains($0) }
        vantages += plan.lans.map { .lan($0.name) }
        vantages += plan.hosts.flatMap { host in host.interfaces.map { .host(host.name, link: $0.link.name) } }
        if plan.clusters.contains(where: \.isMultiNode) { vantages.append(.rayPeer) }
        self.init(plan, vantages: vantages) { _ in vantages }
    }

    /// Only the vantages that can differ from a default deny for each node: its own tailnet,
    /// the tailnets it is shared with, its link peers and its LANs. Linear in the fleet,
    /// for pictures and reviews of large topologies; another node or tailnet is refused by the
    /// firewall's default and the policy unless the plan names it.
    public static func relevant(_ plan: Plan) -> Reachability {
        // The named hosts on each link, as (host, interface) positions, so a node meets the hosts
        // of its own links without reading every host of the fleet.
        var hostsByLink: [String: [(host: Int, interface: Int)]] = [:]
        for (hostPosition, host) in plan.hosts.enumerated() {
            for (interfacePosition, interface) in host.interfaces.enumerated() {
                hostsByLink[interface.link.name, default: []].append((hostPosition, interfacePosition))
            }
        }
        return Reachability(plan, vantages: []) { node in
            var vantages: [Vantage] = [.local, .ownTailnet, .tailnetTag]
            vantages += (plan.tailnet(named: node.tailnet.name)?.shares ?? []).filter { $0.nodes.contains(node.name) }.map { .otherTailnet($0.tailnet) }
            vantages += node.linkPeers.map { .linkPeer($0.node, link: $0.link) }
            let listed = vantages
            vantages += OfferPlan.vantages(plan, gateway: node.name).filter { !listed.contains($0) }
            vantages += node.lans.map { .lan($0.link.name) }
            let met = Set(node.interfaces.map(\.link.name)).flatMap { hostsByLink[$0] ?? [] }.sorted { ($0.host, $0.interface) < ($1.host, $1.interface) }
            vantages += met.map { position in
                let host = plan.hosts[position.host]
                return .host(host.name, link: host.interfaces[position.interface].link.name)
            }
            if !rayPeers(of: node).isEmpty { vantages.append(.rayPeer) }
            return vantages
        }
    }

    private init(_ plan: Plan, vantages: [Vantage], for nodeVantages: (NodePlan) -> [Vantage]) {
        self.vantages = vantages
        var entries: [Entry] = []
        let neighbours = Self.lanNeighbours(plan)
        for node in plan.nodes {
            let firewall = FirewallPlanner.rules(for: node, in: plan)
            let vantages = nodeVantages(node)
            for service in Self.listeners(of: node) {
                for vantage in vantages {
                    guard let reachable = Self.reaches(vantage, service, on: node, plan: plan, firewall: firewall, lanNeighbours: neighbours)
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
    /// for the node itself and a LAN, which stand for no owner).
    public static func otherOwners(of vantage: Vantage, toward node: NodePlan, in plan: Plan) -> [String] {
        let owners: [String]
        switch vantage {
        case .local, .lan, .host: owners = []
        case .ownTailnet, .tailnetTag: owners = plan.tailnet(named: node.tailnet.name)?.owners ?? []
        case .otherTailnet(let name): owners = plan.tailnet(named: name)?.owners ?? []
        case .linkPeer(let name, _): owners = plan.node(named: name).map { [$0.owner.name] } ?? []
        case .rayPeer: owners = rayPeers(of: node).map(\.owner)
        }
        var seen = Set<String>()
        return owners.filter { $0 != node.owner.name && seen.insert($0).inserted }
    }

    /// The other members of the node's multi-node Ray clusters, each once, in cluster order: any
    /// of them can run code on the node. Ray has no access control between a cluster's jobs
    /// ("Jobs have full access to a Ray cluster and all of the resources within it",
    /// docs.ray.io/en/latest/cluster/faq.html) and runs whatever a client submits
    /// (docs.ray.io/en/latest/ray-security/index.html).
    public static func rayPeers(of node: NodePlan) -> [ClusterMember] {
        var seen = Set<String>()
        return node.clusterRoles.filter(\.cluster.isMultiNode).flatMap(\.cluster.members)
            .filter { $0.name != node.name && seen.insert($0.name).inserted }
    }

    public func isReachable(_ node: String, port: Int, from vantage: Vantage) -> Bool {
        entries.contains { $0.node == node && $0.service.port == port && $0.vantage == vantage && $0.reachable }
    }

    /// Nil when the vantage does not apply (a node is not its own peer, its own tailnet is not
    /// "other", a link or LAN it is not on).
    static func reaches(
        _ vantage: Vantage, _ service: Service, on node: NodePlan, plan: Plan, firewall: [FirewallRuleSpec],
        lanNeighbours: [String: IPv4Address]
    ) -> Bool? {
        switch vantage {
        case .local:
            return true
        case .rayPeer:
            // The peer's task runs in the node's Ray container, on the host's network: whatever
            // listens on the node, on loopback too, answers it as it answers the node itself.
            return rayPeers(of: node).isEmpty ? nil : true
        case .ownTailnet:
            let granted = policyGrants(node, port: service.port, plan: plan)
            return tailnetReaches(service, on: node, granted: granted, routed: routedAddresses(node))
        case .tailnetTag:
            // Only where the tailnet has another node to stand there.
            guard let tailnet = plan.tailnet(named: node.tailnet.name), tailnet.nodes.count > 1 || tailnet.nodes.first.map({ $0.name != node.name }) == true
            else { return nil }
            let granted = tailnet.tags(of: node.name).contains { tailnet.policy.allows(node.tailnet.tag, to: $0, port: service.port) }
            return tailnetReaches(service, on: node, granted: granted, routed: routedAddresses(node))
        case .otherTailnet(let name):
            guard name != node.tailnet.name else { return nil }
            // The policy admits shared-in users on the node's tailnet address alone (TailnetPolicyPlanner).
            let shared = node.tailnetIP != nil && sharedPorts(of: node, with: name, plan: plan).contains(service.port)
            return tailnetReaches(service, on: node, granted: shared, routed: [])
        case .linkPeer(let name, let link):
            guard name != node.name, let own = node.interface(on: link), let peer = plan.node(named: name), let source = peer.interface(on: link)
            else { return nil }
            // Through the shared link the peer may also send to the node's addresses on links it
            // is not on itself (Linux answers for any of its addresses on any interface).
            let addresses = [own.address] + node.interfaces.filter { peer.interface(on: $0.link.name) == nil }.map(\.address)
            return admitsAny(addresses, service, firewall, interface: own.device ?? link, source: source.address)
        case .lan(let link):
            // The neighbour is a host that is not a node: the first free address of the LAN.
            guard let own = node.interface(on: link), let neighbour = lanNeighbours[link] else { return nil }
            return admitsAny(node.interfaces.map(\.address), service, firewall, interface: own.device ?? link, source: neighbour)
        case .host(let name, let link):
            guard let own = node.interface(on: link), let source = plan.host(named: name)?.interface(on: link)?.address else { return nil }
            return admitsAny(node.interfaces.map(\.address), service, firewall, interface: own.device ?? link, source: source)
        }
    }

    /// Whether ufw admits `source` on `interface` to `service` at any of the `addresses` it listens on.
    static func admitsAny(
        _ addresses: [IPv4Address], _ service: Service, _ firewall: [FirewallRuleSpec], interface: String, source: IPv4Address
    ) -> Bool {
        addresses.contains { address in
            (service.bindsEveryAddress || service.bindAddress == address.description)
                && allows(firewall, interface: interface, source: source, destination: address, port: service.port)
        }
    }

    /// Tailnet traffic bypasses ufw: the policy must grant the port, and something must listen on
    /// the tailnet address (a wildcard bind, or `tailscale serve` in front of a loopback listener).
    /// A listener on an address of a subnet the node advertises is reachable whatever the policy
    /// says about the node's tag.
    static func tailnetReaches(_ service: Service, on node: NodePlan, granted: Bool, routed: Set<String>) -> Bool {
        if routed.contains(service.bindAddress) { return true }
        guard granted else { return false }
        if service.bindsEveryAddress || service.bindAddress == node.tailnetIP?.description { return true }
        return service.isTailnetFacing && service.isLoopbackOnly
    }

    /// Whether the tailnet's policy lets its first user (the one its tests run as) reach `port` on
    /// one of the node's tags.
    static func policyGrants(_ node: NodePlan, port: Int, plan: Plan) -> Bool {
        guard let tailnetPlan = plan.tailnet(named: node.tailnet.name) else { return false }
        return tailnetPlan.tags(of: node.name).contains { tailnetPlan.policy.allows(tailnetPlan.users[0], to: $0, port: port) }
    }

    static func sharedPorts(of node: NodePlan, with tailnet: String, plan: Plan) -> Set<Int> {
        let accepted =
            plan.tailnet(named: tailnet)?.accepts.contains {
                $0.tailnet == node.tailnet.name && $0.nodes.contains(node.name)
            } ?? false
        guard accepted else { return [] }
        let shares = plan.tailnet(named: node.tailnet.name)?.shares ?? []
        return Set(shares.filter { $0.tailnet == tailnet && $0.nodes.contains(node.name) }.flatMap(\.ports))
    }

    /// The node's addresses on direct links and fabrics inside a subnet it advertises to its tailnet.
    static func routedAddresses(_ node: NodePlan) -> Set<String> {
        let routes = node.advertiseRoutes
        guard !routes.isEmpty else { return [] }
        return Set(node.clusterInterfaces.filter { interface in routes.contains { $0.overlaps(interface.link.subnet) } }.map(\.address.description))
    }

    /// For each LAN, the address the model gives a host on it that is not a node: the first free one.
    public static func lanNeighbours(_ plan: Plan) -> [String: IPv4Address] {
        var used: [String: Set<IPv4Address>] = [:]
        for node in plan.nodes {
            for interface in node.lans { used[interface.link.name, default: []].insert(interface.address) }
        }
        // A named host is admitted by its address: the anonymous neighbour must be someone else.
        for host in plan.hosts {
            for interface in host.interfaces { used[interface.link.name, default: []].insert(interface.address) }
        }
        var neighbours: [String: IPv4Address] = [:]
        for link in plan.lans {
            let taken = used[link.name] ?? []
            var candidate = IPv4Address(link.subnet.networkAddress.value &+ 1)
            while taken.contains(candidate) && link.subnet.contains(IPv4Address(candidate.value &+ 1)) {
                candidate = IPv4Address(candidate.value &+ 1)
            }
            neighbours[link.name] = candidate
        }
        return neighbours
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
