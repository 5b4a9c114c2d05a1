/// A place traffic can come from, as the trust model sees the network.
public enum Vantage: Hashable, Sendable, CustomStringConvertible {
    /// A process on the node itself.
    case local
    /// A device of the node's own tailnet, as its users (the policy's first user) are granted.
    case ownTailnet
    /// A device of another tailnet.
    case otherTailnet(String)
    /// Another node, over a direct link or fabric both are on.
    case linkPeer(String, link: String)
    /// A host on a LAN that is not a node of the topology.
    case lan(String)

    /// A stable token for machine-readable output: `local`, `own-tailnet`, `tailnet:NAME`,
    /// `link:LINK:NODE`, `lan:LINK`.
    public var token: String {
        switch self {
        case .local: return "local"
        case .ownTailnet: return "own-tailnet"
        case .otherTailnet(let name): return "tailnet:\(name)"
        case .linkPeer(let name, let link): return "link:\(link):\(name)"
        case .lan(let link): return "lan:\(link)"
        }
    }

    public var description: String {
        switch self {
        case .local: return "the node itself"
        case .ownTailnet: return "own tailnet"
        case .otherTailnet(let name): return "tailnet \(name)"
        // The two links of a version-1 topology keep the names people call them by.
        case .linkPeer(let name, let link): return "\(name) over \(link == "dac" ? "the DAC" : "link \(link)")"
        case .lan(let link): return link == "mgmt" ? "mgmt LAN" : "LAN \(link)"
        }
    }
}
