import SparkDiagnostics

/// A Tailscale tailnet and how spark-gen writes its policy.
public struct Tailnet: Sendable {
    public var name: String
    /// The tag every node of this tailnet's owners advertises, e.g. `tag:owner`.
    public var tag: String
    /// Users allowed to reach the apps (at least one; the policy's tests run as the first).
    public var users: [String]
    /// Who may apply the node tag; defaults to `autogroup:admin`.
    public var admins: [String]
    /// Tags of existing devices whose access is left fully open, as the guide does for a Dell server.
    public var keepOpenTags: [String]
    /// Keep members' own devices reachable by everyone, as a default policy does.
    public var keepMembersOpen: Bool
    /// Grant ssh (tcp:22) to the nodes from the users.
    public var ssh: Bool
    /// Extra grants to the tailnet's tagged nodes.
    public var grants: [TailnetGrant]
    /// Nodes this tailnet shares with other tailnets.
    public var shares: [TailnetShare]
    /// Shares from other tailnets this tailnet accepts.
    public var accepts: [TailnetShare]
    public var path: SpecPath
}
