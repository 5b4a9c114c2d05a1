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

    public var name: String { identity.name }
    public var tag: String { identity.tag }
    public var path: SpecPath { identity.path }
}
