import SparkDiagnostics

/// One machine: who owns it, how it is addressed, and which apps run on it.
public struct Node: Sendable {
    public var name: String
    public var owner: String
    /// The login user who runs the stack; files under `~` land in this user's home.
    public var user: String
    public var home: String
    public var uid: Int
    public var gid: Int
    public var hardware: Hardware
    public var mgmtIP: IPv4Address
    public var dacIP: IPv4Address
    public var tailnetHostname: String
    public var apps: [App]
    /// Per-app settings for apps written as `{name: {…}}`.
    public var appOptions: [App: AppOptions]
    /// A tailnet other than the owner's, if the topology says so (a rule flags it).
    public var tailnet: String?
    /// Routes `tailscale up` advertises from this node.
    public var advertiseRoutes: [IPv4Network]
    /// The DAC interface name when it differs from `links.dac.interface`.
    public var dacInterface: String?
    /// The DAC port's RDMA device when it differs from `links.dac.hca`.
    public var dacHCA: String?
    /// Extra ufw rules for this node.
    public var firewall: [FirewallRule]
    /// The system Python's version, for the user site-packages path LiteLLM runs from.
    public var python: String
    public var path: SpecPath

    /// The port `app` listens on here: the topology's `port:` for the app, or the app's default.
    public func port(of app: App) -> Int? { appOptions[app]?.port ?? app.port }
}

/// What a node is built from, for memory planning.
public struct Hardware: Sendable {
    public var kind: String
    public var arch: String
    public var memoryGB: Double
    /// Memory left for models after the OS, which vLLM's utilization fraction applies to.
    public var usableGB: Double
    public var gpus: Int
    public var path: SpecPath
}
