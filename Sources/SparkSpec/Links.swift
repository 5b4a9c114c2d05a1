import SparkDiagnostics

/// The two physical networks between nodes: the direct-attach cluster link and the management LAN.
public struct Links: Sendable {
    public var dac: DACLink
    public var mgmt: MgmtLink
    public var path: SpecPath
}

/// The direct-attach copper link that carries NCCL, Ray and the vLLM API between cluster nodes.
public struct DACLink: Sendable {
    public var interface: String
    public var subnet: IPv4Network
    public var mtu: Int
    /// The RDMA device (HCA) of the DAC port, such as `rocep1s0f0` for `enp1s0f0np0` on a DGX
    /// Spark (`ibdev2netdev` lists the pairs); NCCL is pinned to it with NCCL_IB_HCA.
    public var hca: String?
    public var path: SpecPath
}

/// The management LAN used for ssh and bootstrap traffic.
public struct MgmtLink: Sendable {
    public var subnet: IPv4Network
    /// The interface name, when it is the same on every node; firewall rules then name it.
    public var interface: String?
    public var path: SpecPath
}
