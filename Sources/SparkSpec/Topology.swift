import SparkDiagnostics

/// A topology as the user wrote it: typed, structurally valid, references not yet resolved.
///
/// Collections keep the order of the file, so everything derived from them is stable.
public struct Topology: Sendable {
    public static let supportedVersions = [1]

    public var version: Int
    public var stack: Stack
    public var owners: [Owner]
    public var tailnets: [Tailnet]
    public var links: Links
    public var nodes: [Node]
    public var models: [Model]
    /// Findings the author has accepted on purpose, each with a reason.
    public var acceptedRisks: [AcceptedRisk]

    public func owner(named name: String) -> Owner? { owners.first { $0.name == name } }
    public func tailnet(named name: String) -> Tailnet? { tailnets.first { $0.name == name } }
    public func node(named name: String) -> Node? { nodes.first { $0.name == name } }
}
