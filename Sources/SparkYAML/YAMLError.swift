import SparkDiagnostics

/// A YAML document that cannot be read, with the position libyaml or spark-gen blamed.
public struct YAMLError: Error, Sendable {
    public let message: String
    public let location: SourceLocation
    public let help: String?

    public init(_ message: String, at location: SourceLocation, help: String? = nil) {
        self.message = message
        self.location = location
        self.help = help
    }

    public var diagnostic: Diagnostic {
        .error(message, location: location, help: help)
    }
}
