import SparkDiagnostics

/// Settings of one app on one node, when the topology gives the app as `{name: {…}}`.
public struct AppOptions: Sendable {
    /// The address the app binds instead of 127.0.0.1.
    public var listen: IPv4Address?
    /// The port the app listens on instead of its default (`App.port`).
    public var port: Int?
    /// The node whose LiteLLM the app talks to (default: its own node).
    public var litellm: String?
    /// The app's own LiteLLM key (a virtual key), by reference.
    public var key: SecretRef?
    /// The app's login password (Hermes WebUI), by reference.
    public var password: SecretRef?
    public var path: SpecPath
}
