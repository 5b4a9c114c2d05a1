import SparkDiagnostics

/// Prints findings compiler-style: `file:line:col: severity: message`, the source line with a
/// caret under the column, and the fix on a `help:` line.
public struct TextReporter {
    /// ANSI colour for terminals: the label by severity, the gutter dim.
    public let color: Bool

    public init(color: Bool = false) {
        self.color = color
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private func label(_ diagnostic: Diagnostic) -> String {
        let word = diagnostic.code.map { "\(diagnostic.severity.rawValue)[\($0)]" } ?? diagnostic.severity.rawValue
        switch diagnostic.severity {
        case .error: return paint(word, "1;31")
        case .warning: return paint(word, "1;33")
        case .note: return paint(word, "1;36")
        }
    }

    public func render(_ diagnostics: [Diagnostic], sourceLines: SourceLines) -> String {
        diagnostics.map { render($0, sourceLines: sourceLines) }.joined()
    }

    public func render(_ diagnostic: Diagnostic, sourceLines: SourceLines) -> String {
        var text = "\(paint(diagnostic.position, "1")): \(label(diagnostic)): \(paint(diagnostic.message, "1"))\n"
        if let location = diagnostic.location, location.line >= 1, location.line <= sourceLines.count {
            let line = Self.redacted(String(sourceLines[location.line - 1]))
            let number = String(location.line)
            let gutter = String(repeating: " ", count: number.count)
            let (shown, padding) = Self.shown(line, caretAt: location.column)
            text += " \(paint(number, "34")) \(paint("|", "34")) \(shown)\n"
            text += " \(gutter) \(paint("|", "34")) \(padding)\(paint("^", "1;32"))\n"
        }
        if let help = diagnostic.help {
            text += "  \(paint("help", "1;36")): \(help)\n"
        }
        return text
    }

    /// The line as quoted (at most 200 Characters, then "…") and the blanks that put a caret
    /// under `column`, a tab where the line has one. A line of ASCII without a line break (a
    /// topology's usual line) has one Character per byte and is measured and padded on bytes:
    /// a padding String per Character, joined, was most of quoting 6000 lines of a fleet.
    static func shown(_ line: String, caretAt column: Int) -> (shown: String, padding: String) {
        let bytes = line.utf8
        guard bytes.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\n") }) else {
            let shown = line.count > 200 ? String(line.prefix(200)) + "…" : line
            let caretColumn = min(max(column - 1, 0), shown.count)
            return (shown, shown.prefix(caretColumn).map { $0 == "\t" ? "\t" : " " }.joined())
        }
        let cut = bytes.count > 200
        let shown = cut ? String(decoding: bytes.prefix(200), as: UTF8.self) + "…" : line
        let caretColumn = min(max(column - 1, 0), cut ? 201 : bytes.count)
        var padding = String(decoding: bytes.prefix(min(caretColumn, 200)).map { $0 == UInt8(ascii: "\t") ? $0 : UInt8(ascii: " ") }, as: UTF8.self)
        if caretColumn > 200 { padding += " " }
        return (shown, padding)
    }

    /// A source line with the value of any secret-looking key hidden, so quoting the file under
    /// a finding never prints a key or password the user wrongly wrote into the topology.
    static func redacted(_ line: String) -> String {
        if isPlainlyPublic(line) { return line }
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

extension TextReporter {
    /// True for a line of ASCII, without a carriage return, whose key does not end in a
    /// secret's word and whose value holds no "sk-": `redacted` returns such a line as it
    /// is. Decided on the bytes, so the usual quoted line costs no lower-cased copy of its key.
    fileprivate static func isPlainlyPublic(_ line: String) -> Bool {
        let bytes = Array(line.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }), bytes.last != UInt8(ascii: "\r") else { return false }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return true }
        // The key's trailing spaces, dashes and braces, which `redacted` trims, are dropped;
        // trimming its leading ones cannot change which word it ends in.
        var end = colon
        while end > 0, [UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "{")].contains(bytes[end - 1]) { end -= 1 }
        let key = bytes[..<end].map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        for word in ["key", "password", "secret", "token"] where key.count >= word.utf8.count {
            if key.suffix(word.utf8.count).elementsEqual(word.utf8) { return false }
        }
        let value = bytes[(colon + 1)...]
        let marker = Array("sk-".utf8)
        guard value.count >= marker.count else { return true }
        for start in value.startIndex...(value.endIndex - marker.count) where value[start..<start + marker.count].elementsEqual(marker) {
            return false
        }
        return true
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        // ASCII (the usual key): trim bytes; reversing Characters costs generic metadata and
        // casts at run time, once per quoted line of a report.
        if utf8.allSatisfy({ $0 < 0x80 }) {
            let bytes = Array(utf8), trimmed = Array(set.utf8)
            var start = 0, end = bytes.count
            while start < end, trimmed.contains(bytes[start]) { start += 1 }
            while end > start, trimmed.contains(bytes[end - 1]) { end -= 1 }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        let trimmed = drop { set.contains($0) }.reversed().drop { set.contains($0) }
        return String(trimmed.reversed())
    }
}
