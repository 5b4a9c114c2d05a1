import SparkDiagnostics

/// Prints findings compiler-style: `file:line:col: severity: message`, the source line with a
/// caret under the column, and the fix on a `help:` line.
public struct TextReporter {
    public init() {}

    public func render(_ diagnostics: [Diagnostic], sourceLines: [Substring]) -> String {
        diagnostics.map { render($0, sourceLines: sourceLines) }.joined()
    }

    public func render(_ diagnostic: Diagnostic, sourceLines: [Substring]) -> String {
        var text = diagnostic.oneLine + "\n"
        if let location = diagnostic.location, location.line >= 1, location.line <= sourceLines.count {
            let line = Self.redacted(String(sourceLines[location.line - 1]))
            let number = String(location.line)
            let gutter = String(repeating: " ", count: number.count)
            let shown = line.count > 200 ? String(line.prefix(200)) + "…" : line
            let caretColumn = min(max(location.column - 1, 0), shown.count)
            let padding = shown.prefix(caretColumn).map { $0 == "\t" ? "\t" : " " }.joined()
            text += " \(number) | \(shown)\n"
            text += " \(gutter) | \(padding)^\n"
        }
        if let help = diagnostic.help {
            text += "  help: \(help)\n"
        }
        return text
    }

    /// A source line with the value of any secret-looking key hidden, so quoting the file under
    /// a finding never prints a key or password the user wrongly wrote into the topology.
    static func redacted(_ line: String) -> String {
        let withoutReturn = line.hasSuffix("\r") ? String(line.dropLast()) : line
        guard let colon = withoutReturn.firstIndex(of: ":") else { return withoutReturn }
        let key = withoutReturn[..<colon].lowercased().trimmingCharacters(in: " -{")
        let value = withoutReturn[withoutReturn.index(after: colon)...]
        // `master_key`, `db_password`, `api_token`… but not `max_num_batched_tokens`.
        let secretKey = ["key", "password", "secret", "token"].contains { key.hasSuffix($0) }
        let secretValue = value.contains("sk-")
        guard secretKey || secretValue else { return withoutReturn }
        let trimmed = value.drop { $0 == " " }
        if trimmed.isEmpty || trimmed.hasPrefix("{") && !secretValue { return withoutReturn }
        return withoutReturn[...colon] + " <redacted>"
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let trimmed = drop { set.contains($0) }.reversed().drop { set.contains($0) }
        return String(trimmed.reversed())
    }
}
