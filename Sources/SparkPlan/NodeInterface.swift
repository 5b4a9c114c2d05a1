import SparkDiagnostics
import SparkSpec

/// A node's port on one link: its address, the interface name and the RDMA device.
public struct NodeInterface: Sendable {
    public let link: LinkPlan
    public let address: IPv4Address
    /// The interface name on the node; nil only on a LAN that names none (firewall rules then
    /// match any interface).
    public let device: String?
    /// The port's RDMA devices, which NCCL is pinned to, if the topology names them: both
    /// halves of a DGX Spark's QSFP port for its full width.
    public let hcas: [String]
    /// The port's other half and the node's address on it, when the topology gives one.
    public var second: (device: String, address: IPv4Address)? = nil
    /// Where the other half's address is written (`second_ip`, `dac_second_ip`).
    public var secondPath: SpecPath? = nil
    /// Where the address is written in the topology.
    public let path: SpecPath
    /// Where the interface name is written: the node's own entry, or the link's.
    public let devicePath: SpecPath

    public var carriesClusterTraffic: Bool { link.kind.carriesClusterTraffic }
}

/// Another node this one exchanges traffic with over a link (a cluster peer, a caller of its
/// model, the head of a model it calls).
public struct LinkPeer: Hashable, Sendable {
    public let node: String
    public let link: String

    public init(node: String, link: String) {
        self.node = node
        self.link = link
    }
}
