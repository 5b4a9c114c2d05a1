import SparkDiagnostics

/// An OpenAI-compatible server spark-gen does not deploy but routes to (document 003's LM Studio
/// on a Windows box): on a host of the tailnet, it takes part in fallbacks like a model.
public struct Backend: Sendable {
    public var name: String
    /// The host (under 'hosts', on a tailnet) it runs on.
    public var host: String
    public var port: Int
    /// The name the server knows the model by.
    public var model: String
    /// How many requests the server runs at once (LM Studio's concurrent slots), if known.
    public var slots: Int?
    public var vision: Bool
    public var maxParallelRequests: Int?
    public var fallbacks: [String]
    public var senior: Bool
    public var path: SpecPath
    /// Where a request without an image spills first (routing_policy.yaml only).
    public var textFallbacks: [String] = []

    /// LM Studio's server port unless the topology says otherwise.
    public static let defaultPort = 1234
}
