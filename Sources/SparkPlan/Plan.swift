import SparkSpec

/// The stack as it will exist on the nodes, derived once from a topology.
///
/// Emitters and rules read the same plan, so the firewall, the tailnet policy, the
/// verification scripts and the trust report cannot disagree about what listens where.
public struct Plan: Sendable {
    public let topology: Topology
    /// The topology file name as the user gave it, for "generated from" headers (never an absolute path).
    public let sourceName: String
    public let nodes: [NodePlan]
    public let clusters: [ClusterPlan]
    public let tailnets: [TailnetPlan]

    public func node(named name: String) -> NodePlan? { nodes.first { $0.name == name } }
}
