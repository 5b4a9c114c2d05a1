/// An application spark-gen knows how to deploy on a node, with the port it serves.
public enum App: String, CaseIterable, Sendable, Comparable {
    case litellm
    case litellmDB = "litellm-db"
    case openWebUI = "open-webui"
    case n8n
    case hermes
    case hermesWebUI = "hermes-webui"
    /// Redis as LiteLLM's response cache.
    case redis
    /// NGINX terminating TLS in front of LiteLLM.
    case nginx
    /// Parakeet speech-to-text, NVIDIA's NIM.
    case parakeet
    /// Magpie text-to-speech, NVIDIA's NIM.
    case magpie

    /// The TCP port the app listens on, or nil for apps without a listener of their own.
    public var port: Int? {
        switch self {
        case .litellm: return 8001
        case .litellmDB: return 5432
        case .openWebUI: return 8080
        case .n8n: return 5678
        case .hermes: return nil
        case .hermesWebUI: return 8787
        case .redis: return 6379
        case .nginx: return 443
        // The NIMs' own default; NVIDIA says to avoid 8000, which Triton uses inside the container.
        case .parakeet, .magpie: return 9000
        }
    }

    /// Apps the owner's tailnet users reach; the database serves LiteLLM alone.
    public var isTailnetFacing: Bool {
        switch self {
        case .litellm, .openWebUI, .n8n, .hermesWebUI, .nginx: return true
        case .litellmDB, .hermes, .redis, .parakeet, .magpie: return false
        }
    }

    /// Apps that run as a container, whose image the topology may set (`image`, `digest`);
    /// LiteLLM only with `runner: compose`. Hermes Agent installs into the user's home.
    public var isContainerised: Bool {
        switch self {
        case .litellm, .litellmDB, .openWebUI, .n8n, .hermesWebUI, .redis, .nginx, .parakeet, .magpie: return true
        case .hermes: return false
        }
    }

    /// Speech services a panel on the LAN calls and checks.
    public var isSpeech: Bool { self == .parakeet || self == .magpie }

    /// Apps that call an owner's LiteLLM.
    public var usesLiteLLM: Bool {
        switch self {
        case .openWebUI, .n8n, .hermes, .hermesWebUI: return true
        case .litellm, .litellmDB, .redis, .nginx, .parakeet, .magpie: return false
        }
    }

    /// Human label used in comments and the runbook.
    public var title: String {
        switch self {
        case .litellm: return "LiteLLM proxy"
        case .litellmDB: return "PostgreSQL for LiteLLM"
        case .openWebUI: return "Open WebUI"
        case .n8n: return "n8n"
        case .hermes: return "Hermes Agent"
        case .hermesWebUI: return "Hermes WebUI"
        case .redis: return "Redis cache for LiteLLM"
        case .nginx: return "NGINX TLS front for LiteLLM"
        case .parakeet: return "Parakeet speech-to-text (NVIDIA NIM)"
        case .magpie: return "Magpie text-to-speech (NVIDIA NIM)"
        }
    }

    public static func < (lhs: App, rhs: App) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
