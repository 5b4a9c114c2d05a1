import SparkDiagnostics
import SparkSpec

/// A machine spark-gen does not deploy to, with its address on each LAN it shares with the
/// nodes: the firewall admits it by that address, and the trust model probes from there.
public struct HostPlan: Sendable {
    public struct Interface: Sendable {
        public let link: LinkPlan
        public let address: IPv4Address
    }

    public let name: String
    public let interfaces: [Interface]
    /// The tailnet a host that serves a backend is a device of, with its tag and MagicDNS name.
    public let tailnet: String?
    public let tag: String?
    public let tailnetHostname: String?
    public let path: SpecPath

    public func interface(on link: String) -> Interface? { interfaces.first { $0.link.name == link } }
}
