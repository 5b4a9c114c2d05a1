import SparkSpec

/// One owner's LiteLLM proxy on one node and the models it routes to.
public struct LiteLLMPlan: Sendable {
    /// One `model_list` entry.
    public struct Route: Sendable {
        public let servedName: String
        /// LiteLLM's `model` parameter: provider prefix and the backend's name for the model.
        public let model: String
        public let apiBase: String
        public let supportsTools: Bool
        public let maxTokens: Int?
        /// The model reads images (`model_info.supports_vision`).
        public var supportsVision: Bool = false
        /// Requests in flight past which LiteLLM answers 429 at once, so the fallbacks take them.
        public var maxParallelRequests: Int? = nil
        /// The served names a failed or refused request goes to, in order.
        public var fallbacks: [String] = []
        /// Never falls back: written as an empty chain, so no catch-all could ever apply to it.
        public var senior: Bool = false
        /// The variable holding the key the backend asks for (a model on the tailnet), or nil for none.
        public var apiKeyVariable: String? = nil
    }

    /// Whether the config routes between models at all (fallbacks, route names or caps).
    public var routesBetweenModels: Bool {
        !aliases.isEmpty || routes.contains { !$0.fallbacks.isEmpty || $0.senior || $0.maxParallelRequests != nil }
    }

    /// The LiteLLM release the runbook installs: the one the proof suite serves each generated config with.
    public static let version = "1.106.2"
    /// How long one request may run, in seconds, everywhere along the way to a model: LiteLLM's
    /// router `timeout` and the `proxy_read_timeout`/`proxy_send_timeout` of NGINX in front of
    /// it. One value, so that no hop cuts a request another still waits for: a LiteLLM at 600 s
    /// behind NGINX at 1800 s ended long completions at ten minutes. 30 minutes, for long
    /// reasoning and tool-calling turns and large contexts (source documents 001, "Timeout
    /// Settings", and 002).
    public static let requestTimeout = 1800
    /// The config's file name in the stack directory.
    public static let configFileName = "litellm-config.yaml"

    public let port: Int
    /// Where the node's own scripts call it (127.0.0.1).
    public let bindAddress: String
    /// What its `--host` is: 127.0.0.1, or every address for a gateway offered over a LAN.
    public var listenAddress: String = "127.0.0.1"
    public let routes: [Route]
    public let masterKey: SecretRef
    /// Where LiteLLM's PostgreSQL listens, when the node runs `litellm-db`.
    public let database: Database?
    /// The compose service running LiteLLM, or nil when systemd runs it.
    public let container: String?
    /// The Redis that caches responses, when the node runs `redis`.
    public let cache: Cache?
    /// Route names clients may ask for, each with the served name it stands for.
    public var aliases: [(name: String, servedName: String)] = []

    /// A loopback Redis whose password comes from a secret file.
    public struct Cache: Sendable {
        public let host: String
        public let port: Int
        public let password: SecretRef
    }

    /// The LiteLLM database: a loopback-only PostgreSQL whose password comes from a secret file.
    public struct Database: Sendable {
        /// The database and role spark-gen's PostgreSQL creates for LiteLLM.
        public static let name = "litellm"
        public static let user = "litellm"

        public let host: String
        public let port: Int
        public let password: SecretRef

        /// `DATABASE_URL` with the password left as a shell expansion of `passwordVariable`.
        public func url(passwordVariable: String) -> String {
            "postgresql://\(Self.user):${\(passwordVariable)}@\(host):\(port)/\(Self.name)"
        }
    }
}
