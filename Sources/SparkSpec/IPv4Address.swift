/// An IPv4 address, parsed strictly: four decimal octets, no leading zeros, no ports.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init?(_ text: String) {
        // Every part must be ASCII digits and every separator a '.', so a text with a non-ASCII
        // byte is no address; the rest is cut on the bytes (a split by Characters ran grapheme
        // breaking over every address of a fleet).
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map { Substring($0) }
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            // Leading zeros are refused: some tools read `010` as octal 8.
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part == "0" || part.first != "0", let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

    /// A word on why a text is not an IPv4 address, for the error message.
    public static func explain(_ text: String) -> String {
        if text.contains(":") { return "'\(text)' looks like an IPv6 address or has a port; spark-gen expects an IPv4 address" }
        if text.contains("/") { return "'\(text)' is a network (CIDR), not a single address" }
        return "'\(text)' is not an IPv4 address"
    }
}
