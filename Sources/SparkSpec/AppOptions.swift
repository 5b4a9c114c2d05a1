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
    /// What runs LiteLLM: systemd from the user's site-packages, or a compose service.
    public var runner: Runner
    /// The app's image as the topology names it, with its digest if one pins it (LiteLLM's
    /// under compose is always set: the default when none is named).
    public var image: String?
    /// The digest the topology pins the app's image to, also when it keeps the default image.
    public var digest: String? = nil
    /// NGINX's certificate and key on the node; nil for a self-signed pair the runbook makes.
    public var tls: TLSFiles?
    public var path: SpecPath
    /// Hosts (under 'hosts') that reach a speech service from the LAN; nil leaves it to the
    /// panels of the catalogs on the node.
    public var clients: [String]? = nil

    /// A certificate and its key, as files on the node (spark-gen never reads them).
    public struct TLSFiles: Sendable {
        public var certificate: NodePath
        public var key: NodePath
        public var path: SpecPath
    }

    public enum Runner: String, Sendable, CaseIterable {
        case systemd
        case compose
    }

    /// The image a compose-run LiteLLM uses unless the topology names one: the release the
    /// proof suite serves every generated config with (LiteLLMPlan.version).
    /// The tag is the release's own (`vX.Y.Z`, which LiteLLM's release notes list since 1.99);
    /// SparkPlan's DefaultImages cites it, and a test holds the two equal.
    public static let litellmImage = "ghcr.io/berriai/litellm:v1.106.2"
}
