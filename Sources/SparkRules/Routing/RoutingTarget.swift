import SparkDiagnostics

/// A model or a backend as the gateway's routing sees it: what it falls back to and how.
struct RoutingTarget {
    let name: String
    let vision: Bool
    let fallbacks: [String]
    let senior: Bool
    let path: SpecPath
    /// The nodes whose LiteLLM routes it.
    let proxies: Set<String>
}
