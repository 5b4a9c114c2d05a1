import SparkDiagnostics
import SparkJSON
import SparkRules

/// Findings as SARIF 2.1.0, for code-scanning upload: the rule catalog as the tool's rules,
/// one result per finding, accepted findings as suppressed results with their reason.
public struct SARIFReporter {
    public static let toolVersion = "0.1.0"

    public init() {}

    public func render(_ diagnostics: [Diagnostic]) throws -> String {
        let rules = RuleCatalog.rules.map(\.description)
        let ruleObjects: [JSONValue] = rules.map { rule in
            .object([
                ("id", .string(rule.id)),
                ("shortDescription", .object([("text", .string(rule.title))])),
                ("fullDescription", .object([("text", .string(rule.rationale))])),
                ("help", .object([("text", .string(rule.help))])),
                ("defaultConfiguration", .object([("level", .string(Self.level(rule.severity)))])),
            ])
        }
        let results: [JSONValue] = diagnostics.map { diagnostic in
            var result: [(String, JSONValue)] = []
            if let code = diagnostic.code, let index = rules.firstIndex(where: { $0.id == code }) {
                result.append(("ruleId", .string(code)))
                result.append(("ruleIndex", .int(index)))
            }
            result.append(("level", .string(Self.level(diagnostic.severity))))
            var message = diagnostic.message
            if let help = diagnostic.help { message += "\nhelp: \(help)" }
            result.append(("message", .object([("text", .string(message))])))
            if let file = diagnostic.file {
                var physical: [(String, JSONValue)] = [("artifactLocation", .object([("uri", .string(file))]))]
                if let location = diagnostic.location {
                    physical.append(("region", .object([("startLine", .int(location.line)), ("startColumn", .int(location.column))])))
                }
                result.append(("locations", .array([.object([("physicalLocation", .object(physical))])])))
            }
            if let reason = diagnostic.acceptedReason {
                result.append(("suppressions", .array([.object([("kind", "inSource"), ("justification", .string(reason))])])))
            }
            return .object(result)
        }
        let run: JSONValue = .object([
            ("tool", .object([("driver", .object([
                ("name", "spark-gen"),
                ("version", .string(Self.toolVersion)),
                ("rules", .array(ruleObjects)),
            ]))])),
            ("columnKind", "unicodeCodePoints"),
            ("results", .array(results)),
        ])
        return try JanssonEncoder.encode(.object([
            ("$schema", "https://json.schemastore.org/sarif-2.1.0.json"),
            ("version", "2.1.0"),
            ("runs", .array([run])),
        ]))
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .note: return "note"
        }
    }
}
