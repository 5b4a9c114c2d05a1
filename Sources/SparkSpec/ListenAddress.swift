/// Where a listener binds, as a topology may override it.
public enum ListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// The node's DAC address.
    case dac
    /// 127.0.0.1.
    case loopback
    /// The node's tailnet address: other nodes of the tailnet call it, with a key.
    case tailnet
    /// A literal IPv4 address; 0.0.0.0 means every interface.
    case address(IPv4Address)

    public init?(_ text: String) {
        switch text {
        case "dac": self = .dac
        case "loopback": self = .loopback
        case "tailnet": self = .tailnet
        default:
            guard let address = IPv4Address(text) else { return nil }
            self = .address(address)
        }
    }

    public var description: String {
        switch self {
        case .dac: return "dac"
        case .loopback: return "loopback"
        case .tailnet: return "tailnet"
        case .address(let address): return address.description
        }
    }
}
