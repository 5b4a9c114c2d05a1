import SparkDiagnostics

/// A YAML document that cannot be read, with the position libyaml or spark-gen blamed.
public struct YAMLError: Error, Sendable {
    public let message: String
    public let location: SourceLocation
    public let help: String?
    public let id: DiagnosticID

    public init(_ id: DiagnosticID, _ message: String, at location: SourceLocation, help: String? = nil) {
        self.id = id
        self.message = message
        self.location = location
        self.help = help
    }

    public var diagnostic: Diagnostic {
        .error(id, message, location: location, help: help)
    }
}
