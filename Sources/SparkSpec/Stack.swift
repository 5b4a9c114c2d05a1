import SparkDiagnostics

/// Settings shared by the whole stack: its name and where its files live on every node.
public struct Stack: Sendable {
    public var name: String
    /// The stack directory on each node, home-relative by default (`~/<name>`).
    public var dir: NodePath
    /// IANA time zone for apps that schedule work (n8n), if the author set one.
    public var timezone: String?
    public var path: SpecPath
}
