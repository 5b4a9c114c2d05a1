import SparkDiagnostics

/// One listening socket on a node: what it is, where it binds, and who may reach it.
public struct Service: Hashable, Sendable {
    /// What kind of process owns the socket.
    public enum Role: Hashable, Sendable {
        case app(String)
        case modelAPI(model: String)
        case rayGCS(model: String)
        /// Ray's other listeners on every member of a multi-node cluster (raylet, agents).
        case rayNode(model: String)
        /// The node's own sshd, which spark-gen does not deploy but whose reach it decides.
        case ssh
    }

    /// Who is meant to reach the socket; the firewall, tailnet policy and checks all follow it.
    public enum Exposure: Hashable, Sendable {
        /// Only processes on the node itself.
        case localOnly
        /// The owner's tailnet, through `tailscale serve` forwarding to the loopback listener.
        case ownerTailnet
        /// The named nodes, over one direct link or fabric only.
        case linkPeers(link: String, [String])
        /// The named hosts (machines spark-gen does not deploy to, such as a control panel), from
        /// one LAN only, by their addresses; the rest of the LAN is refused.
        case hosts(link: String, [String])
        /// The named nodes of the node's own tailnet, whose LiteLLM calls it with its key (a model
        /// that listens on the tailnet address); granted to the tailnet's tag, never to its users.
        case tailnetPeers([String])
    }

    public let role: Role
    public let name: String
    public let port: Int
    /// The address the process binds: 127.0.0.1 or the node's address on a link; only sshd and Ray's GCS,
    /// whose bind spark-gen cannot set, bind every address.
    public let bindAddress: String
    public let exposure: Exposure
    /// Where the topology declares what listens (the app's entry, the model's port), so a
    /// finding about the listener points there. Not part of its identity.
    public let path: SpecPath
    /// True for a model started by hand, which may well be stopped. Not part of its identity.
    public let manualStart: Bool
    /// The HTTP path a caller asks to see that it serves, when its kind says (a speech NIM's
    /// readiness); nil for an OpenAI-style API, which answers on `/v1/models`. Not part of its identity.
    public let readinessPath: String?

    public init(
        role: Role, name: String, port: Int, bindAddress: String, exposure: Exposure, path: SpecPath = .root, manualStart: Bool = false,
        readinessPath: String? = nil
    ) {
        self.role = role
        self.name = name
        self.port = port
        self.bindAddress = bindAddress
        self.exposure = exposure
        self.path = path
        self.manualStart = manualStart
        self.readinessPath = readinessPath
    }

    public static func == (lhs: Service, rhs: Service) -> Bool {
        lhs.role == rhs.role && lhs.name == rhs.name && lhs.port == rhs.port && lhs.bindAddress == rhs.bindAddress && lhs.exposure == rhs.exposure
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(role)
        hasher.combine(port)
        hasher.combine(bindAddress)
    }

    /// The listener in a sentence: "app litellm", "the API of model 'm'".
    public var phrase: String {
        switch role {
        case .app(let app): return name == app ? "app \(app)" : "app \(app) (\(name))"
        case .modelAPI(let model): return "the API of model '\(model)'"
        case .rayGCS(let model): return "the Ray head of model '\(model)'"
        case .rayNode(let model): return "\(name) of model '\(model)'"
        case .ssh: return "sshd"
        }
    }

    public var isTailnetFacing: Bool { exposure == .ownerTailnet }

    /// sshd as Ubuntu runs it (ListenAddress defaults to every address): admitted from the node's
    /// LAN by the firewall, and from the own tailnet when its policy grants ssh.
    public static let ssh = Service(role: .ssh, name: "ssh", port: 22, bindAddress: everyAddress, exposure: .localOnly)

    /// The wildcard bind, which only upstream defaults spark-gen cannot change (sshd, Ray's GCS) use.
    public static let everyAddress = "0.0.0.0"

    /// True when the process listens on every address of the node.
    public var bindsEveryAddress: Bool { bindAddress == Self.everyAddress }
    /// True when the process binds 127.0.0.1, so only the node itself (and `tailscale serve`) reaches it.
    public var isLoopbackOnly: Bool { bindAddress == "127.0.0.1" }
}
