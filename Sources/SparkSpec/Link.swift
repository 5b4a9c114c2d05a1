import SparkDiagnostics

/// A network between nodes: a cable between two nodes, a switched fabric, or a LAN.
///
/// Direct links and fabrics carry cluster traffic (NCCL, Ray, the vLLM API between nodes); a LAN
/// carries ssh and bootstrap traffic and stands for the outside that the firewall keeps out.
public struct Link: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A cable between two nodes, such as the 200 Gb/s DAC between two DGX Sparks.
        case direct
        /// A switch joining any number of nodes for cluster traffic.
        case fabric
        /// A management LAN: ssh, package downloads, a place other hosts live.
        case lan

        public var carriesClusterTraffic: Bool { self != .lan }
    }

    /// The names a version-1 topology gave its two links; their kind may be left out. A `dac`
    /// link without a kind that joins more than two nodes is a fabric (a switch), as it was.
    public static let legacyKinds: [String: Kind] = ["dac": .direct, "mgmt": .lan]

    public var name: String
    public var kind: Kind
    public var subnet: IPv4Network
    /// The interface name on every node, unless a node names its own.
    public var interface: String?
    /// The MTU the interface must have; direct links and fabrics default to 9000 (jumbo frames).
    public var mtu: Int?
    /// The RDMA devices (HCAs) of the port, such as `rocep1s0f0` for `enp1s0f0np0` on a DGX
    /// Spark (`ibdev2netdev` lists the pairs); NCCL is pinned to them with NCCL_IB_HCA. A DGX
    /// Spark's QSFP port is two PCIe halves, two devices (`rocep1s0f0` and `roceP2p1s0f0`), and
    /// NCCL uses the link's full width only with both.
    public var hcas: [String]
    /// The port's other half as the node sees it, such as `enP2p1s0f0np0` beside
    /// `enp1s0f0np0` on a DGX Spark: RoCE needs an address on it for its GIDs (NVIDIA's
    /// connect-two-sparks playbook gives each half its own subnet).
    public var secondInterface: String? = nil
    public var path: SpecPath

    public init(name: String, kind: Kind, subnet: IPv4Network, interface: String?, mtu: Int?, hcas: [String], path: SpecPath) {
        self.name = name
        self.kind = kind
        self.subnet = subnet
        self.interface = interface
        self.mtu = mtu
        self.hcas = hcas
        self.path = path
    }
}
