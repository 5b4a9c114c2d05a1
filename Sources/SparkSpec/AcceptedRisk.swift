import SparkDiagnostics

/// An explicit, reasoned acceptance of a rule's findings (`accept_risks:` in the topology).
public struct AcceptedRisk: Sendable {
    /// The rule id, such as `TR001`.
    public var rule: String
    public var reason: String
    public var path: SpecPath
}
