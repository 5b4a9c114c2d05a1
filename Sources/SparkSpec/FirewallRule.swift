import SparkDiagnostics

/// An extra ufw rule a topology adds to a node (`firewall:`), for ports spark-gen does not manage.
public struct FirewallRule: Sendable {
    public enum Proto: String, Sendable, CaseIterable { case tcp, udp }

    public var port: Int
    public var proto: Proto
    /// The interface, or nil for every interface.
    public var interface: String?
    /// The source network, or nil for any source.
    public var from: IPv4Network?
    public var comment: String?
    public var path: SpecPath
}
