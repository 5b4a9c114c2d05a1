import SparkDiagnostics
import SparkSpec

/// A node as a cluster sees it: the head or a worker, named with its owner, where its stack
/// lives and its tailnet address. The node's whole plan is `Plan.node(named:)`.
public struct ClusterMember: Sendable {
    public let name: String
    public let owner: String
    public let user: String
    public let home: String
    /// The node's fixed tailnet address, for a model that listens on the tailnet.
    public let tailnetIP: IPv4Address?
    public let hardware: Hardware
    public let path: SpecPath

    init(_ node: Node) {
        name = node.name
        owner = node.owner
        user = node.user
        home = node.home
        tailnetIP = node.tailnetIP
        hardware = node.hardware
        path = node.path
    }
}
