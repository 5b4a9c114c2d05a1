import SparkDiagnostics
import SparkSpec

/// A model or a backend as the gateways' routing sees it: the name clients call, what it falls
/// back to and how, its cap and the LiteLLMs that route it. The routing rules, the LiteLLM
/// config and `routing_policy.yaml` all read this one description.
public struct RoutingTarget: Sendable {
    public enum Kind: Sendable { case model, backend }

    public let kind: Kind
    /// The model's or backend's key in the topology.
    public let name: String
    /// The name clients ask LiteLLM for.
    public let servedName: String
    public let vision: Bool
    public let fallbacks: [String]
    /// Where a request without an image spills first, for a router in front of LiteLLM.
    public let textFallbacks: [String]
    public let senior: Bool
    /// The cap the topology writes (`max_parallel_requests`).
    public let declaredCap: Int?
    /// The gateway's cap: the written one, or the server's slots when the target has fallbacks.
    public let cap: Int?
    /// How many requests the server runs at once, and the key that says so, when stated.
    public let slots: (count: Int, key: String)?
    /// The nodes whose LiteLLM routes it.
    public let proxies: Set<String>
    public let path: SpecPath

    /// The gateway's cap: the written one, or, for a target with fallbacks, its server's slots, so a
    /// request that would queue inside the server spills down the chain instead (document 003).
    /// Nil when the slots are not stated or nothing would take the spill.
    static func cap(declared: Int?, fallbacks: [String], slots: Int?) -> Int? {
        declared ?? (fallbacks.isEmpty ? nil : slots)
    }

    /// What a word in messages calls it.
    public var noun: String { kind == .model ? "model" : "backend" }

    init(_ model: ClusterPlan, proxies: Set<String>) {
        kind = .model
        name = model.name
        servedName = model.servedName
        vision = model.vision
        fallbacks = model.fallbacks
        textFallbacks = model.textFallbacks
        senior = model.senior
        declaredCap = model.maxParallelRequests
        slots = model.slots
        cap = model.cap
        self.proxies = proxies
        path = model.path
    }

    init(_ backend: BackendPlan, proxies: Set<String>) {
        kind = .backend
        name = backend.name
        servedName = backend.name
        vision = backend.vision
        fallbacks = backend.fallbacks
        textFallbacks = backend.textFallbacks
        senior = backend.senior
        declaredCap = backend.declaredCap
        cap = backend.maxParallelRequests
        slots = backend.slots.map { ($0, "slots") }
        self.proxies = proxies
        path = backend.path
    }
}
