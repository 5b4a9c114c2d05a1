/// One listening socket on a node: what it is, where it binds, and who may reach it.
public struct Service: Hashable, Sendable {
    /// What kind of process owns the socket.
    public enum Role: Hashable, Sendable {
        case app(String)
        case vllmAPI(model: String)
        case rayGCS(model: String)
        case rayDashboard(model: String)
    }

    /// Who is meant to reach the socket; the firewall, tailnet policy and checks all follow it.
    public enum Exposure: Hashable, Sendable {
        /// Only processes on the node itself.
        case localOnly
        /// The owner's tailnet, through `tailscale serve` forwarding to the loopback listener.
        case ownerTailnet
        /// The named nodes, over the DAC link only.
        case dacPeers([String])
    }

    public let role: Role
    public let name: String
    public let port: Int
    /// The address the process binds: 127.0.0.1 or the node's DAC address, never a wildcard.
    public let bindAddress: String
    public let exposure: Exposure

    public var isTailnetFacing: Bool { exposure == .ownerTailnet }
    /// True when the process binds 127.0.0.1, so only the node itself (and `tailscale serve`) reaches it.
    public var isLoopbackOnly: Bool { bindAddress == "127.0.0.1" }
}
