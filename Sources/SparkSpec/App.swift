/// An application spark-gen knows how to deploy on a node, with the port it serves.
public enum App: String, CaseIterable, Sendable, Comparable {
    case litellm
    case litellmDB = "litellm-db"
    case openWebUI = "open-webui"
    case n8n
    case hermes
    case hermesWebUI = "hermes-webui"

    /// The TCP port the app listens on, or nil for apps without a listener of their own.
    public var port: Int? {
        switch self {
        case .litellm: return 8001
        case .litellmDB: return 5432
        case .openWebUI: return 8080
        case .n8n: return 5678
        case .hermes: return nil
        case .hermesWebUI: return 8787
        }
    }

    /// Apps the owner's tailnet users reach; the database serves LiteLLM alone.
    public var isTailnetFacing: Bool {
        switch self {
        case .litellm, .openWebUI, .n8n, .hermesWebUI: return true
        case .litellmDB, .hermes: return false
        }
    }

    /// Apps that call an owner's LiteLLM.
    public var usesLiteLLM: Bool {
        switch self {
        case .openWebUI, .n8n, .hermes, .hermesWebUI: return true
        case .litellm, .litellmDB: return false
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
        }
    }

    public static func < (lhs: App, rhs: App) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
