import SparkSpec

/// The stack as it will exist on the nodes, derived once from a topology.
///
/// Emitters and rules read the same plan, so the firewall, the tailnet policy, the
/// verification scripts and the trust report cannot disagree about what listens where.
public struct Plan: Sendable {
    public let topology: Topology
    /// The topology file name as the user gave it, for "generated from" headers (never an absolute path).
    public let sourceName: String
    /// The topology's links, in file order.
    public let links: [LinkPlan]
    public let nodes: [NodePlan]
    public let clusters: [ClusterPlan]
    public let tailnets: [TailnetPlan]

    public func node(named name: String) -> NodePlan? { nodeIndex[name].map { nodes[$0] } }

    /// Where a node stands in the topology, for keeping derived lists in file order.
    public func position(of name: String) -> Int? { nodeIndex[name] }

    private let nodeIndex: [String: Int]

    public init(topology: Topology, sourceName: String, links: [LinkPlan], nodes: [NodePlan], clusters: [ClusterPlan], tailnets: [TailnetPlan]) {
        self.topology = topology
        self.sourceName = sourceName
        self.links = links
        self.nodes = nodes
        self.clusters = clusters
        self.tailnets = tailnets
        var index: [String: Int] = [:]
        for (position, node) in nodes.enumerated() where index[node.name] == nil { index[node.name] = position }
        nodeIndex = index
    }
}
