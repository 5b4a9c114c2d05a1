import SparkSpec

/// The stack as it will exist on the nodes, derived once from a topology.
///
/// Emitters and rules read the same plan, so the firewall, the tailnet policy, the
/// verification scripts and the trust report cannot disagree about what listens where.
public struct Plan: Sendable {
    /// The stack's name, which headers, markers and reports use.
    public let stackName: String
    /// The topology file name as the user gave it, for "generated from" headers (never an absolute path).
    public let sourceName: String
    /// The topology's links, in file order.
    public let links: [LinkPlan]
    /// The LANs among the links, in file order.
    public var lans: [LinkPlan] { links.filter { $0.kind == .lan } }
    public let nodes: [NodePlan]
    public let clusters: [ClusterPlan]
    public let tailnets: [TailnetPlan]
    /// Machines on a LAN spark-gen admits by address but does not deploy to, in file order.
    public let hosts: [HostPlan]
    /// Models taking turns on one port, in file order.
    public let catalogs: [CatalogPlan]
    /// Servers spark-gen routes to but does not deploy, in file order.
    public var backends: [BackendPlan] = [] {
        didSet {
            var index: [String: [Int]] = [:]
            for (position, backend) in backends.enumerated() { index[backend.name, default: []].append(position) }
            backendsByName = index
        }
    }
    /// Models owners' gateways offer to other owners, with a key (`owners.<o>.offers`).
    public var offers: [OfferPlan] = []
    /// Every owner, in file order.
    public let owners: [OwnerPlan]
    /// Every model, then every backend, in file order, as the gateways route them.
    public let routingTargets: [RoutingTarget]
    /// Route names clients may call instead of a model's own, in file order.
    public let routes: [RouteAlias]
    /// Rules the topology accepts the findings of, with the reason.
    public let acceptedRisks: [AcceptedRisk]
    /// Values the topology left out and spark-gen chose, where each would be written.
    public let appliedDefaults: [AppliedDefault]

    /// The model or backend with key `name`.
    public func routingTarget(named name: String) -> RoutingTarget? { routingIndex[name].map { routingTargets[$0] } }

    public func host(named name: String) -> HostPlan? { hostIndex[name].map { hosts[$0] } }

    /// The backends named in `names`, in file order: a gateway's checks look up only its own.
    public func backends<Names: Sequence<String>>(named names: Names) -> [BackendPlan] {
        Set(names.flatMap { backendsByName[$0] ?? [] }).sorted().map { backends[$0] }
    }

    /// The nodes whose LiteLLM routes `servedName`, in file order.
    public func gateways(routing servedName: String) -> [NodePlan] {
        (gatewaysByServedName[servedName] ?? []).map { nodes[$0] }
    }

    /// The nodes a catalog's models run on, each once: its head, then the workers in model order.
    public func nodes(of catalog: CatalogPlan) -> [NodePlan] {
        let names = [catalog.head] + catalog.members.compactMap { cluster(ofModel: $0) }.flatMap { $0.workers.map(\.name) }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }.compactMap { node(named: $0) }
    }

    public func node(named name: String) -> NodePlan? { nodeIndex[name].map { nodes[$0] } }
    public func tailnet(named name: String) -> TailnetPlan? { tailnetIndex[name].map { tailnets[$0] } }
    /// The cluster of the model with key `name`.
    public func cluster(ofModel name: String) -> ClusterPlan? { clusterIndex[name].map { clusters[$0] } }
    /// The cluster whose model clients ask for as `servedName`.
    public func cluster(serving servedName: String) -> ClusterPlan? { servedIndex[servedName].map { clusters[$0] } }

    /// The models and backends served as one of `servedNames`, in the order of `routingTargets`.
    public func routingTargets<Names: Sequence<String>>(servedAs servedNames: Names) -> [RoutingTarget] {
        Set(servedNames).flatMap { targetsByServedName[$0] ?? [] }.sorted().map { routingTargets[$0] }
    }

    /// The route names that stand for a model or backend served as one of `servedNames`, in file order.
    public func routes<Names: Sequence<String>>(servedAs servedNames: Names) -> [RouteAlias] {
        Set(servedNames).flatMap { routesByServedName[$0] ?? [] }.sorted().map { routes[$0] }
    }

    /// Where a node stands in the topology, for keeping derived lists in file order.
    public func position(of name: String) -> Int? { nodeIndex[name] }

    private let nodeIndex: [String: Int]
    private let tailnetIndex: [String: Int]
    private let clusterIndex: [String: Int]
    private let servedIndex: [String: Int]
    private let routingIndex: [String: Int]
    private let hostIndex: [String: Int]
    /// Positions in `routingTargets` and in `routes` by the served name they reach: a gateway
    /// finds its own without reading the fleet's.
    private let targetsByServedName: [String: [Int]]
    private let routesByServedName: [String: [Int]]
    private let gatewaysByServedName: [String: [Int]]
    private var backendsByName: [String: [Int]] = [:]

    init(
        topology: Topology, sourceName: String, links: [LinkPlan], nodes: [NodePlan], clusters: [ClusterPlan], tailnets: [TailnetPlan],
        hosts: [HostPlan] = [], catalogs: [CatalogPlan] = [], owners: [OwnerPlan] = [], routingTargets: [RoutingTarget] = []
    ) {
        stackName = topology.stack.name
        routes = topology.routes
        acceptedRisks = topology.acceptedRisks
        appliedDefaults = topology.defaults
        self.sourceName = sourceName
        self.links = links
        self.nodes = nodes
        self.clusters = clusters
        self.tailnets = tailnets
        self.hosts = hosts
        self.catalogs = catalogs
        self.owners = owners
        self.routingTargets = routingTargets
        routingIndex = Self.index(routingTargets.map(\.name))
        nodeIndex = Self.index(nodes.map(\.name))
        hostIndex = Self.index(hosts.map(\.name))
        tailnetIndex = Self.index(tailnets.map(\.name))
        clusterIndex = Self.index(clusters.map(\.name))
        servedIndex = Self.index(clusters.map(\.servedName))
        var targetsByServedName: [String: [Int]] = [:]
        for (position, target) in routingTargets.enumerated() { targetsByServedName[target.servedName, default: []].append(position) }
        var routesByServedName: [String: [Int]] = [:]
        for (position, route) in routes.enumerated() {
            guard let target = routingIndex[route.model].map({ routingTargets[$0] }) else { continue }
            routesByServedName[target.servedName, default: []].append(position)
        }
        var gatewaysByServedName: [String: [Int]] = [:]
        for (position, node) in nodes.enumerated() {
            for servedName in Set(node.litellm?.routes.map(\.servedName) ?? []) {
                gatewaysByServedName[servedName, default: []].append(position)
            }
        }
        self.gatewaysByServedName = gatewaysByServedName
        self.targetsByServedName = targetsByServedName
        self.routesByServedName = routesByServedName
    }

    /// Position by name; the first wins, as a linear search would.
    private static func index(_ names: [String]) -> [String: Int] {
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        return index
    }
}
