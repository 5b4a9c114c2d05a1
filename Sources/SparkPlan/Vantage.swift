/// A place traffic can come from, as the trust model sees the network.
public enum Vantage: Hashable, Sendable, CustomStringConvertible {
    /// A process on the node itself.
    case local
    /// A device of the node's own tailnet, as its users (the policy's first user) are granted.
    case ownTailnet
    /// A device of another tailnet.
    case otherTailnet(String)
    /// Another node, over the DAC link.
    case dacPeer(String)
    /// A host on the management LAN that is not a node of the topology.
    case mgmtLAN

    /// A stable token for machine-readable output: `local`, `own-tailnet`, `tailnet:NAME`, `dac:NODE`, `mgmt`.
    public var token: String {
        switch self {
        case .local: return "local"
        case .ownTailnet: return "own-tailnet"
        case .otherTailnet(let name): return "tailnet:\(name)"
        case .dacPeer(let name): return "dac:\(name)"
        case .mgmtLAN: return "mgmt"
        }
    }

    public var description: String {
        switch self {
        case .local: return "the node itself"
        case .ownTailnet: return "own tailnet"
        case .otherTailnet(let name): return "tailnet \(name)"
        case .dacPeer(let name): return "\(name) over the DAC"
        case .mgmtLAN: return "mgmt LAN"
        }
    }
}
