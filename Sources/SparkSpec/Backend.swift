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
    /// The API token the server asks for (LM Studio 0.4's "Require Authentication"), in a file on
    /// each gateway that routes it; nil for a server that asks for none.
    public var apiKey: SecretRef? = nil
    /// The model's context length as the server loads it (LM Studio's `--context-length`), if stated.
    public var contextLength: Int? = nil

    /// LM Studio's server port unless the topology says otherwise.
    public static let defaultPort = 1234
    /// The variable holding the token, unless 'var' names another: LM Studio's own SDKs read
    /// LM_API_TOKEN (lmstudio.ai/docs/developer/core/authentication).
    public static let apiKeyVariable = "LM_API_TOKEN"
}
