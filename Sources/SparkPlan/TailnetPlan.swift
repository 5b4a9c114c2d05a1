import SparkSpec

/// One tailnet: its owners, the nodes that carry its tag, and the policy spark-gen writes for it.
public struct TailnetPlan: Sendable {
    public let tailnet: Tailnet
    public let owners: [String]
    public let nodes: [NodePlan]
    public let policy: TailnetPolicy
}
