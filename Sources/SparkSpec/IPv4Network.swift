/// An IPv4 network in CIDR form whose address has no host bits set (`198.51.100.0/30`).
public struct IPv4Network: Hashable, Sendable, CustomStringConvertible {
    public let address: IPv4Address
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
            parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let prefix = Int(parts[1]), (0...32).contains(prefix)
        else { return nil }
        self.address = address
        self.prefixLength = prefix
    }

    /// The network of `prefixLength` that holds `ip` (its host bits cleared).
    public init(containing ip: IPv4Address, prefixLength: Int) {
        let prefix = min(max(prefixLength, 0), 32)
        self.prefixLength = prefix
        self.address = IPv4Address(prefix == 0 ? 0 : ip.value & (UInt32.max << (32 - UInt32(prefix))))
    }

    public var mask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << (32 - UInt32(prefixLength)) }

    /// True when the address part has bits outside the prefix, as in `198.51.100.1/30`.
    public var hasHostBits: Bool { address.value & ~mask != 0 }

    public var networkAddress: IPv4Address { IPv4Address(address.value & mask) }
    public var broadcastAddress: IPv4Address { IPv4Address(address.value | ~mask) }

    public func contains(_ ip: IPv4Address) -> Bool { ip.value & mask == address.value & mask }

    /// True when the two networks share at least one address.
    public func overlaps(_ other: IPv4Network) -> Bool {
        let shorter = prefixLength < other.prefixLength ? self : other
        let longer = prefixLength < other.prefixLength ? other : self
        return shorter.contains(longer.networkAddress)
    }

    public var description: String { "\(networkAddress)/\(prefixLength)" }
}
