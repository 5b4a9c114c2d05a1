import SparkDiagnostics
import SparkSpec

/// One tailnet: its owners, the nodes that carry its tag, and the policy spark-gen writes for it.
public struct TailnetPlan: Sendable {
    /// The tailnet as the topology wrote it, for the policy planner.
    let tailnet: Tailnet
    public let identity: TailnetIdentity
    public let owners: [String]
    public let nodes: [NodePlan]
    public let policy: TailnetPolicy

    /// Users allowed to reach the apps; the policy's tests run as the first.
    public var users: [String] { tailnet.users }
    /// Extra grants to the tailnet's tagged nodes, as the topology writes them.
    public var grants: [TailnetGrant] { tailnet.grants }
    /// Nodes this tailnet shares with other tailnets, and shares it accepts from them.
    public var shares: [TailnetShare] { tailnet.shares }
    public var accepts: [TailnetShare] { tailnet.accepts }
    public var name: String { identity.name }
    public var tag: String { identity.tag }
    public var path: SpecPath { identity.path }
}
