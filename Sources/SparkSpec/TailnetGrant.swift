import SparkDiagnostics

/// An extra grant a tailnet's policy carries (`grants:` under a tailnet), for the tailnet's
/// tagged nodes or, with `dst`, for the owner's other devices, which would otherwise lose the
/// access a hand-written policy gave them when the generated file replaces it.
public struct TailnetGrant: Sendable {
    /// Policy selectors: users, `group:…`, `autogroup:…`, `tag:…` or `*`.
    public var sources: [String]
    /// Policy selectors the grant is for; nil means the tailnet's node tag.
    public var destinations: [String]?
    public var ports: [Int]
    public var path: SpecPath
}
