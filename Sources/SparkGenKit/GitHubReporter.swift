import SparkDiagnostics

/// Findings as GitHub Actions workflow commands, which the runner shows as annotations.
public struct GitHubReporter {
    public init() {}

    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map { diagnostic in
            let command: String
            switch diagnostic.severity {
            case .error: command = "error"
            case .warning: command = "warning"
            case .note: command = "notice"
            }
            var properties: [String] = []
            if let file = diagnostic.file { properties.append("file=\(Self.property(file))") }
            if let location = diagnostic.location {
                properties.append("line=\(location.line)")
                properties.append("col=\(location.column)")
            }
            properties.append("title=\(Self.property("spark-gen " + (diagnostic.code ?? "input")))")
            var message = diagnostic.message
            if let help = diagnostic.help { message += "\nhelp: \(help)" }
            return "::\(command) \(properties.joined(separator: ","))::\(Self.data(message))\n"
        }.joined()
    }

    /// Escapes a message the way the runner unescapes it.
    static func data(_ text: String) -> String {
        text.replacingAll("%", with: "%25").replacingAll("\r", with: "%0D").replacingAll("\n", with: "%0A")
    }

    /// Escapes a property value, which also may not contain ':' or ','.
    static func property(_ text: String) -> String {
        data(text).replacingAll(":", with: "%3A").replacingAll(",", with: "%2C")
    }
}
