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
    /// The node's address on each link it is on, in file order.
    public var addresses: [LinkAddress]
    public var tailnetHostname: String
    public var apps: [App]
    /// Per-app settings for apps written as `{name: {…}}`.
    public var appOptions: [App: AppOptions]
    /// A tailnet other than the owner's, if the topology says so (a rule flags it).
    public var tailnet: String?
    /// Routes `tailscale up` advertises from this node.
    public var advertiseRoutes: [IPv4Network]
    /// Extra ufw rules for this node.
    public var firewall: [FirewallRule]
    /// The system Python's version, for the user site-packages path LiteLLM runs from.
    public var python: String
    public var path: SpecPath
    /// The node's tailnet address (100.64.0.0/10), fixed in the admin console, for what listens on
    /// the tailnet itself: a model other nodes call over it (`listen: tailnet`).
    public var tailnetIP: IPv4Address? = nil

    /// The port `app` listens on here: the topology's `port:` for the app, or the app's default.
    public func port(of app: App) -> Int? { appOptions[app]?.port ?? app.port }

    /// The node's place on `link`, if it is on it.
    public func address(on link: String) -> LinkAddress? { addresses.first { $0.link == link } }
}

/// What a node is built from, for memory planning.
public struct Hardware: Sendable {
    public var kind: String
    public var arch: String
    public var memoryGB: Double
    /// Memory left for models after the OS, which vLLM's utilization fraction applies to.
    public var usableGB: Double
    public var gpus: Int
    /// Whose GPUs: how a container is given them.
    public var gpuVendor: GPUVendor
    public var path: SpecPath
    /// Each discrete GPU's own memory, by index (a 16 GB laptop 4090 beside a 96 GB eGPU); nil for
    /// memory the GPUs share with the CPU (a DGX Spark), where `usableGB` is what models get.
    public var gpuMemoryGB: [Int]? = nil

    /// The GPUs a model given `ids` (nil: all of them) runs on, by index.
    public func gpuIndices(_ ids: [Int]?) -> [Int] { ids ?? Array(0..<max(gpus, 1)) }

    /// The memory a model's fraction applies to on GPU `index`: its own memory for a discrete
    /// GPU, the node's usable memory where they share it.
    public func memoryGB(ofGPU index: Int) -> Double {
        guard let vram = gpuMemoryGB else { return usableGB }
        return index < vram.count ? Double(vram[index]) : 0
    }

    public enum GPUVendor: String, Sendable, CaseIterable {
        /// The NVIDIA container toolkit (`--gpus all`, a compose device reservation).
        case nvidia
        /// ROCm or Vulkan through /dev/kfd and /dev/dri.
        case amd
        /// No GPU: models run on the CPU.
        case none
    }
}
