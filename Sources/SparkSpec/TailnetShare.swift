import SparkDiagnostics

/// One side of a cross-tailnet share: `share:` on the sharing tailnet, `accept:` on the receiving one.
/// Access across tailnets exists only when both sides state it.
public struct TailnetShare: Sendable {
    /// The other tailnet.
    public var tailnet: String
    public var nodes: [String]
    /// Ports the receiving tailnet may reach (on `share:` only).
    public var ports: [Int]
    public var path: SpecPath
}
