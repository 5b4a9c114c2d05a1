import SparkDiagnostics
import SparkJSON

/// Findings as a JSON array, one object per finding, for scripts and editors.
public struct JSONReporter {
    public init() {}

    public func render(_ diagnostics: [Diagnostic]) throws -> String {
        let items: [JSONValue] = diagnostics.map { diagnostic in
            var object: [(String, JSONValue)] = [
                ("rule", diagnostic.code.map { .string($0) } ?? .null),
                ("severity", .string(diagnostic.severity.rawValue)),
                ("file", diagnostic.file.map { .string($0) } ?? .null),
                ("line", diagnostic.location.map { .int($0.line) } ?? .null),
                ("column", diagnostic.location.map { .int($0.column) } ?? .null),
                ("message", .string(diagnostic.message)),
                ("help", diagnostic.help.map { .string($0) } ?? .null),
            ]
            if let reason = diagnostic.acceptedReason { object.append(("accepted", .string(reason))) }
            return .object(object)
        }
        return try JanssonEncoder.encode(.array(items))
    }
}
