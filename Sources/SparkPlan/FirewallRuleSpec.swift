/// One host-firewall rule as data: what ufw is told, and what the reachability model evaluates.
/// Rules are evaluated in order, first match wins, and anything unmatched is denied.
public struct FirewallRuleSpec: Hashable, Sendable {
    public enum Action: String, Sendable { case allow, deny }

    public let action: Action
    /// The inbound interface, or nil for every interface.
    public let interface: String?
    /// The source address or network (`198.51.100.2`, `192.0.2.0/24`), or nil for any source.
    public let source: String?
    /// The destination address, or nil for any of the node's addresses.
    public let destination: String?
    /// The destination port, or nil for every port.
    public let port: Int?
    /// `tcp` or `udp`, or nil for both.
    public let proto: String?
    public let comment: String

    public init(
        _ action: Action, on interface: String? = nil, from source: String? = nil, to destination: String? = nil,
        port: Int? = nil, proto: String? = nil, comment: String
    ) {
        self.action = action
        self.interface = interface
        self.source = source
        self.destination = destination
        self.port = port
        self.proto = proto
        self.comment = comment
    }
}
