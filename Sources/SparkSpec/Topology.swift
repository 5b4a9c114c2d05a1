import SparkDiagnostics

/// A topology as the user wrote it: typed, structurally valid, references not yet resolved.
///
/// Collections keep the order of the file, so everything derived from them is stable. Lookups
/// by name go through indexes, so resolving a fleet stays linear in its size.
public struct Topology: Sendable {
    public static let supportedVersions = [1]

    public var version: Int
    public var stack: Stack
    public var owners: [Owner] { didSet { ownerIndex = Self.index(owners, \.name) } }
    public var tailnets: [Tailnet] { didSet { tailnetIndex = Self.index(tailnets, \.name) } }
    /// Direct links, fabrics and LANs, in file order; a single box may have none.
    public var links: [Link] { didSet { linkIndex = Self.index(links, \.name) } }
    public var nodes: [Node] { didSet { nodeIndex = Self.index(nodes, \.name) } }
    public var models: [Model]
    /// Machines on a LAN that spark-gen does not deploy to but admits by address (a panel).
    public var hosts: [Host] = [] { didSet { hostIndex = Self.index(hosts, \.name) } }
    /// Servers spark-gen routes to but does not deploy, in file order.
    public var backends: [Backend] = []
    /// Names clients ask for that stand for a model (route groups), in file order.
    public var routes: [RouteAlias] = []
    /// Models that take turns on one cluster, one active at a time.
    public var catalogs: [Catalog] = [] { didSet { catalogIndex = Self.index(catalogs, \.name) } }
    /// Findings the author has accepted on purpose, each with a reason.
    public var acceptedRisks: [AcceptedRisk]
    /// Values chosen for keys the topology leaves out, in file order.
    public var defaults: [AppliedDefault]

    private var ownerIndex: [String: Int]
    private var tailnetIndex: [String: Int]
    private var nodeIndex: [String: Int]
    private var linkIndex: [String: Int]
    private var hostIndex: [String: Int] = [:]
    private var catalogIndex: [String: Int] = [:]

    public init(
        version: Int, stack: Stack, owners: [Owner], tailnets: [Tailnet], links: [Link], nodes: [Node], models: [Model],
        acceptedRisks: [AcceptedRisk], defaults: [AppliedDefault] = [], hosts: [Host] = [], catalogs: [Catalog] = []
    ) {
        self.version = version
        self.stack = stack
        self.owners = owners
        self.tailnets = tailnets
        self.links = links
        self.nodes = nodes
        self.models = models
        self.acceptedRisks = acceptedRisks
        self.defaults = defaults
        ownerIndex = Self.index(owners, \.name)
        tailnetIndex = Self.index(tailnets, \.name)
        nodeIndex = Self.index(nodes, \.name)
        linkIndex = Self.index(links, \.name)
        self.hosts = hosts
        self.catalogs = catalogs
        hostIndex = Self.index(hosts, \.name)
        catalogIndex = Self.index(catalogs, \.name)
    }

    public func owner(named name: String) -> Owner? { ownerIndex[name].map { owners[$0] } }
    public func tailnet(named name: String) -> Tailnet? { tailnetIndex[name].map { tailnets[$0] } }
    public func node(named name: String) -> Node? { nodeIndex[name].map { nodes[$0] } }
    public func link(named name: String) -> Link? { linkIndex[name].map { links[$0] } }
    public func host(named name: String) -> Host? { hostIndex[name].map { hosts[$0] } }
    public func catalog(named name: String) -> Catalog? { catalogIndex[name].map { catalogs[$0] } }
    /// Where a node stands in the file, for keeping derived lists in file order.
    public func position(ofNode name: String) -> Int? { nodeIndex[name] }

    /// Position by name; the first entry wins, as a linear search would.
    private static func index<T>(_ items: [T], _ name: KeyPath<T, String>) -> [String: Int] {
        var index: [String: Int] = [:]
        for (position, item) in items.enumerated() where index[item[keyPath: name]] == nil {
            index[item[keyPath: name]] = position
        }
        return index
    }
}
