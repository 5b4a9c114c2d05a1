import SparkDiagnostics

/// A machine on a LAN that spark-gen does not deploy to, but whose reach it decides: a
/// control panel that calls the models (spark-control on a Start9 server). Naming it lets the
/// firewall admit exactly that address where "the LAN" would admit every neighbour.
public struct Host: Sendable {
    public var name: String
    /// Its address on each LAN it is on.
    public var addresses: [LinkAddress]
    public var path: SpecPath
    /// The tailnet the host is a device of, if it is reached over one (a backend's server).
    public var tailnet: String? = nil
    /// Its tag there: the tailnet's nodes are granted its backends' ports.
    public var tag: String? = nil
    /// Its MagicDNS name on the tailnet; defaults to its name.
    public var tailnetHostname: String? = nil
    /// Its operating system, for the commands of its setup steps (the tailnet join, the firewall).
    public var os: HostOS? = nil

    public init(name: String, addresses: [LinkAddress], path: SpecPath) {
        self.name = name
        self.addresses = addresses
        self.path = path
    }

    public func address(on link: String) -> LinkAddress? { addresses.first { $0.link == link } }
}

/// The operating system of a host spark-gen writes setup steps for.
public enum HostOS: String, Sendable, CaseIterable {
    case windows
    case linux
}
