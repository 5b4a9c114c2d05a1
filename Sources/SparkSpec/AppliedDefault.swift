import SparkDiagnostics

/// A value spark-gen chose because the topology left the key out, listed in the output's
/// README so that defaults which reach the nodes (an MTU, a port, a uid) are never invisible.
public struct AppliedDefault: Sendable {
    public let path: SpecPath
    public let value: String

    public init(path: SpecPath, value: String) {
        self.path = path
        self.value = value
    }
}
