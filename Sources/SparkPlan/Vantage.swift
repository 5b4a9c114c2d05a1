/// A place traffic can come from, as the trust model sees the network.
public enum Vantage: Hashable, Sendable, CustomStringConvertible {
    /// A process on the node itself.
    case local
    /// A device of the node's own tailnet, as its users (the policy's first user) are granted.
    case ownTailnet
    /// Another node of the node's own tailnet, as the tailnet's tag is granted: every node of a
    /// tailnet carries its tag, so one vantage stands for all of them (a gateway calling a model
    /// over the tailnet, or any other node doing the same).
    case tailnetTag
    /// A device of another tailnet.
    case otherTailnet(String)
    /// Another node, over a direct link or fabric both are on.
    case linkPeer(String, link: String)
    /// A host on a LAN that is not a node of the topology.
    case lan(String)
    /// A host the topology names (under 'hosts'), from its address on a LAN.
    case host(String, link: String)
    /// Code another member of a Ray cluster runs on the node: Ray schedules any member's tasks on
    /// every member, and the Ray container shares the node's network namespace (`--network
    /// host`), so the code stands where a process of the node stands, loopback included.
    case rayPeer

    /// A stable token for machine-readable output: `local`, `own-tailnet`, `own-tag`, `tailnet:NAME`,
    /// `link:LINK:NODE`, `lan:LINK`, `host:LINK:HOST`, `ray-peer`.
    public var token: String {
        switch self {
        case .local: return "local"
        case .ownTailnet: return "own-tailnet"
        case .tailnetTag: return "own-tag"
        case .otherTailnet(let name): return "tailnet:\(name)"
        case .linkPeer(let name, let link): return "link:\(link):\(name)"
        case .lan(let link): return "lan:\(link)"
        case .host(let name, let link): return "host:\(link):\(name)"
        case .rayPeer: return "ray-peer"
        }
    }

    public var description: String {
        switch self {
        case .local: return "the node itself"
        case .ownTailnet: return "own tailnet"
        case .tailnetTag: return "the tailnet's other nodes"
        // Shares go to users, never to tagged devices (tailscale/tailscale#5321).
        case .otherTailnet(let name): return "users of tailnet \(name) who accepted a share"
        // The two links of a version-1 topology keep the names people call them by.
        case .linkPeer(let name, let link): return "\(name) over \(link == "dac" ? "the DAC" : "link \(link)")"
        case .lan(let link): return link == "mgmt" ? "mgmt LAN" : "LAN \(link)"
        case .host(let name, let link): return "host \(name) on \(link == "mgmt" ? "the mgmt LAN" : "LAN \(link)")"
        case .rayPeer: return "code a Ray peer runs here"
        }
    }
}
