import SparkDiagnostics

/// An extra grant a tailnet's policy gives to its tagged nodes (`grants:` under a tailnet).
public struct TailnetGrant: Sendable {
    /// Policy selectors: users, `group:…`, `autogroup:…`, `tag:…` or `*`.
    public var sources: [String]
    public var ports: [Int]
    public var path: SpecPath
}
