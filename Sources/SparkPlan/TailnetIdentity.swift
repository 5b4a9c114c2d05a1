import SparkDiagnostics
import SparkSpec

/// What a node's tailnet is to the node: its name, the tag the node advertises, and whether
/// the policy grants ssh. `TailnetPlan` adds the members and the whole policy.
public struct TailnetIdentity: Sendable {
    public let name: String
    /// The tag every node of this tailnet's owners advertises, e.g. `tag:owner`.
    public let tag: String
    /// Whether the policy grants ssh (tcp:22) to the nodes from the users.
    public let ssh: Bool
    public let path: SpecPath

    init(_ tailnet: Tailnet) {
        name = tailnet.name
        tag = tailnet.tag
        ssh = tailnet.ssh
        path = tailnet.path
    }
}
