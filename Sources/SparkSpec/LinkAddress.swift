import SparkDiagnostics

/// A node's place on one link: its address there and, where it differs from the link's, the
/// interface and RDMA device it uses.
public struct LinkAddress: Sendable {
    public var link: String
    public var ip: IPv4Address
    public var interface: String?
    public var hcas: [String]
    /// The node's address on the port's other half (the link's `second_interface`), if given.
    public var secondIP: IPv4Address? = nil
    public var secondIPPath: SpecPath? = nil
    /// Where the address is written: `nodes.X.links.L`, or `nodes.X.dac_ip` in the short form.
    public var path: SpecPath
    /// Where the node's own interface name is written, if it names one.
    public var interfacePath: SpecPath?

    public init(link: String, ip: IPv4Address, interface: String? = nil, hcas: [String] = [], path: SpecPath, interfacePath: SpecPath? = nil) {
        self.link = link
        self.ip = ip
        self.interface = interface
        self.hcas = hcas
        self.path = path
        self.interfacePath = interfacePath
    }
}
