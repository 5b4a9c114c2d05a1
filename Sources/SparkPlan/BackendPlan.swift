import SparkDiagnostics
import SparkSpec

/// A server spark-gen routes to but does not deploy, as the gateways of its host's tailnet call it.
public struct BackendPlan: Sendable {
    public let name: String
    /// The name the server knows the model by.
    public let model: String
    /// The OpenAI-compatible base URL: the host's MagicDNS name on the tailnet and the port.
    public let apiBase: String
    public let host: String
    public let tailnet: String
    /// The host's tag, which the tailnet's nodes are granted the port of.
    public let tag: String
    public let port: Int
    public let slots: Int?
    public let vision: Bool
    /// The gateway's cap: the topology's, or the server's slots when the backend has fallbacks.
    public let maxParallelRequests: Int?
    /// The cap the topology writes, if any.
    public let declaredCap: Int?
    /// Where a request without an image spills first, for a router in front of LiteLLM.
    public let textFallbacks: [String]
    public let fallbacks: [String]
    public let senior: Bool
    public let path: SpecPath
    /// The token the server asks for, which each gateway routing it keeps in a file.
    public let apiKey: SecretRef?
    /// The context length the server loads the model with, if stated.
    public let contextLength: Int?
    /// The host's MagicDNS name and operating system, for its setup steps.
    public let hostname: String
    public let hostOS: HostOS?

    init?(_ backend: Backend, host: Host) {
        guard let tailnet = host.tailnet, let tag = host.tag else { return nil }
        name = backend.name
        model = backend.model
        apiBase = "http://\(host.tailnetHostname ?? host.name):\(backend.port)/v1"
        self.host = host.name
        self.tailnet = tailnet
        self.tag = tag
        port = backend.port
        slots = backend.slots
        vision = backend.vision
        maxParallelRequests = RoutingTarget.cap(declared: backend.maxParallelRequests, fallbacks: backend.fallbacks, slots: backend.slots)
        declaredCap = backend.maxParallelRequests
        textFallbacks = backend.textFallbacks
        fallbacks = backend.fallbacks
        senior = backend.senior
        path = backend.path
        apiKey = backend.apiKey
        contextLength = backend.contextLength
        hostname = host.tailnetHostname ?? host.name
        hostOS = host.os
    }

    /// The secret placement of its token on a gateway: the operator types the token LM Studio
    /// showed once, and LiteLLM (compose reads it as `group`) loads the file.
    func keyPlacement(group: String?) -> SecretPlacement? {
        apiKey.map { key in
            SecretPlacement(
                secret: key, variables: [key.variable], readers: [App.litellm.rawValue],
                source: .entered(prompt: "API token of \(name) on \(host) (LM Studio: Developer, Server Settings, Manage Tokens)"), group: group)
        }
    }
}
