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
        // The ids of errors found before the rules follow the rules, so results can name them too.
        let inputIDs = DiagnosticID.all
        let inputObjects: [JSONValue] = inputIDs.map { id in
            .object([
                ("id", .string(id.code)),
                ("name", .string(id.name)),
                ("shortDescription", .object([("text", .string(id.title))])),
                ("fullDescription", .object([("text", .string(id.meaning))])),
                ("help", .object([("text", .string("Allowed: \(id.allowed)\nFix: \(id.fix)"))])),
                ("defaultConfiguration", .object([("level", .string(Self.level(id.severity)))])),
            ])
        }
        let results: [JSONValue] = diagnostics.map { diagnostic in
            var result: [(String, JSONValue)] = []
            if let code = diagnostic.code {
                result.append(("ruleId", .string(code)))
                if let index = rules.firstIndex(where: { $0.id == code }) {
                    result.append(("ruleIndex", .int(index)))
                } else if let index = inputIDs.firstIndex(where: { $0.code == code }) {
                    result.append(("ruleIndex", .int(rules.count + index)))
                }
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
            (
                "tool",
                .object([
                    (
                        "driver",
                        .object([
                            ("name", "spark-gen"),
                            ("version", .string(Self.toolVersion)),
                            ("rules", .array(ruleObjects + inputObjects)),
                        ])
                    )
                ])
            ),
            ("columnKind", "unicodeCodePoints"),
            ("results", .array(results)),
        ])
        return try JanssonEncoder.encode(
            .object([
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
