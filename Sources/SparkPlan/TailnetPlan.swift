import SparkSpec

/// One tailnet's policy inputs: which nodes carry its tag and which of their ports it may reach.
public struct TailnetPlan: Sendable {
    public let tailnet: Tailnet
    public let owners: [String]
    public let nodes: [NodePlan]

    /// Ports the tailnet's users may reach on the tag, in ascending order.
    public var grantedPorts: [Int] {
        var ports = Set(nodes.flatMap { $0.services.filter(\.isTailnetFacing).map(\.port) })
        if tailnet.ssh { ports.insert(22) }
        return ports.sorted()
    }
}
