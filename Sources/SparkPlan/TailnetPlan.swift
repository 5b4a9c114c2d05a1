import SparkDiagnostics
import SparkSpec

/// One tailnet: its owners, the nodes that carry its tag, and the policy spark-gen writes for it.
public struct TailnetPlan: Sendable {
    public let identity: TailnetIdentity
    /// Users allowed to reach the apps; the policy's tests run as the first.
    public let users: [String]
    /// Extra grants to the tailnet's tagged nodes, as the topology writes them.
    public let grants: [TailnetGrant]
    /// Nodes this tailnet shares with other tailnets, and shares it accepts from them.
    public let shares: [TailnetShare]
    public let accepts: [TailnetShare]
    public let owners: [String]
    public let nodes: [NodePlan]
    public let policy: TailnetPolicy
    /// The tags each node advertises (TailnetPolicyPlanner.tags).
    public let nodeTags: [String: [String]]

    init(_ tailnet: Tailnet, owners: [String], nodes: [NodePlan], policy: TailnetPolicy) {
        identity = TailnetIdentity(tailnet)
        users = tailnet.users
        grants = tailnet.grants
        shares = tailnet.shares
        accepts = tailnet.accepts
        self.owners = owners
        self.nodes = nodes
        self.policy = policy
        // The split is worked out once for the tailnet: asking it per node made a tailnet of
        // many nodes cost the square of its nodes (bench/growth.sh, shape owners).
        var ownTags: [String: [String]] = [:]
        for entry in TailnetPolicyPlanner.appTags(tailnet, nodes: nodes) { ownTags[entry.node, default: []].append(entry.tag) }
        nodeTags = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, [tailnet.tag] + (ownTags[$0.name] ?? [])) })
    }

    /// The tags `node` advertises: the tailnet's first.
    public func tags(of node: String) -> [String] { nodeTags[node] ?? [tag] }

    public var name: String { identity.name }
    public var tag: String { identity.tag }
    public var path: SpecPath { identity.path }
}
