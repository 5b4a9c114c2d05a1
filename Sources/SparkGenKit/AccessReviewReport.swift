import SparkDiagnostics
import SparkJSON

/// Renders an `AccessReview` for a terminal, a pull-request comment, or a tool. The verdict
/// and the access changes come first, so the first screen says whether access widens.
public struct AccessReviewReport {
    public enum Format: String, CaseIterable, Sendable { case text, markdown, json }

    let review: AccessReview
    /// Appends each changed file's unified diff.
    let includeDiffs: Bool
    /// For each changed file, the topology changes that caused it (`ChangeCause.causes`).
    let causes: [String: [ChangeCause]]

    public init(_ review: AccessReview, includeDiffs: Bool, causes: [String: [ChangeCause]] = [:]) {
        self.review = review
        self.includeDiffs = includeDiffs
        self.causes = causes
    }

    public func render(_ format: Format) throws -> String {
        switch format {
        case .text: return text()
        case .markdown: return markdown()
        case .json: return try json()
        }
    }

    /// Titled lists of what changed, each gained list before its lost one; empty lists are left out.
    private var sections: [(title: String, items: [String])] {
        [
            ("Reach gained", review.reachGained.map(\.text)),
            ("Reach lost", review.reachLost.map(\.text)),
            ("Tailnet policy reach gained", review.policyGained.map(\.text)),
            ("Tailnet policy reach lost", review.policyLost.map(\.text)),
            ("Prompts newly readable by another owner", review.readersGained),
            ("Prompts no longer readable by another owner", review.readersLost),
            ("Code execution gained", review.codeGained),
            ("Code execution lost", review.codeLost),
            ("Risks newly accepted", review.acceptancesAdded),
            ("Risks no longer accepted", review.acceptancesRemoved),
            ("Secret references added", review.secretsAdded),
            ("Secret references removed", review.secretsRemoved),
            ("New findings", review.findingsNew),
            ("Findings gone", review.findingsGone),
        ].filter { !$0.items.isEmpty }
    }

    private var verdict: String {
        let errors = review.newErrors.isEmpty ? "" : " HEAD brings \(review.newErrors.count) error finding(s) and would not build."
        guard review.widensAccess else { return "Access does not widen." + errors }
        var parts: [String] = []
        if !review.reachGained.isEmpty { parts.append("\(review.reachGained.count) listener reach(es) gained") }
        if !review.policyGained.isEmpty { parts.append("\(review.policyGained.count) tailnet policy reach(es) gained") }
        if !review.readersGained.isEmpty { parts.append("\(review.readersGained.count) owner(s) newly read another's prompts") }
        if !review.codeGained.isEmpty { parts.append("\(review.codeGained.count) new code-execution path(s)") }
        if !review.acceptancesAdded.isEmpty { parts.append("\(review.acceptancesAdded.count) risk(s) newly accepted") }
        return "ACCESS WIDENS: " + parts.joined(separator: ", ") + "." + errors
    }

    private var noFiles: String {
        review.unbuilt.isEmpty ? "no file changes" : "not compared: \(review.unbuilt.joined(separator: " and ")) has error findings and builds no files"
    }

    /// Per node (or `tailnets`, or the tree's own files): how many files were added, removed, changed.
    private var fileSummary: [String] {
        var groups: [String: (added: Int, removed: Int, changed: Int, plus: Int, minus: Int)] = [:]
        var order: [String] = []
        for file in review.files {
            let parts = file.path.split(separator: "/")
            let group = parts.count > 2 && parts[0] == "nodes" ? "node \(parts[1])" : parts.count > 1 ? String(parts[0]) : "(top level)"
            if groups[group] == nil { order.append(group) }
            var counts = groups[group] ?? (0, 0, 0, 0, 0)
            switch file.kind {
            case .added: counts.added += 1
            case .removed: counts.removed += 1
            case .changed: counts.changed += 1
            }
            counts.plus += file.linesAdded
            counts.minus += file.linesRemoved
            groups[group] = counts
        }
        return order.map { group in
            let counts = groups[group]!
            return "\(group): \(counts.changed) changed, \(counts.added) added, \(counts.removed) removed (+\(counts.plus) −\(counts.minus) lines)"
        }
    }

    private func text() -> String {
        var text = verdict + "\n"
        for section in sections {
            text += "\n\(section.title)\n" + section.items.map { "  - \($0)\n" }.joined()
        }
        text += "\nGenerated files\n"
        text += review.files.isEmpty ? "  - \(noFiles)\n" : fileSummary.map { "  - \($0)\n" }.joined()
        for file in review.files {
            text += "    \(file.kind.rawValue) \(file.path) (+\(file.linesAdded) −\(file.linesRemoved))\n"
            for cause in causes[file.path] ?? [] { text += "      caused by \(cause.line)\n" }
        }
        if includeDiffs {
            for file in review.files { text += "\n" + file.diff }
        }
        return text
    }

    private func markdown() -> String {
        var text = "### spark-gen review\n\n**\(verdict)**\n"
        for section in sections {
            text += "\n#### \(section.title)\n\n" + section.items.map { "- \(Self.escape($0))\n" }.joined()
        }
        text += "\n<details><summary>Picture: flows the change adds are marked +, removed ones −</summary>\n\n"
        text += "```mermaid\n\(review.picture)```\n\n</details>\n"
        text += "\n#### Generated files\n\n"
        text += review.files.isEmpty ? "\(noFiles)\n" : fileSummary.map { "- \($0)\n" }.joined()
        let caused = review.files.filter { !(causes[$0.path] ?? []).isEmpty }
        if !caused.isEmpty {
            text += "\n#### What in the topology changed them\n\n"
            for file in caused {
                text += "- <code>\(Self.escapeHTML(file.path))</code>\n"
                text += (causes[file.path] ?? []).map { "  - \(Self.escape($0.line))\n" }.joined()
            }
        }
        if includeDiffs {
            for file in review.files {
                let fence = file.diff.contains("```") ? "~~~~" : "```"
                text += "\n<details><summary>\(file.kind.rawValue) <code>\(Self.escapeHTML(file.path))</code> "
                text +=
                    "(+\(file.linesAdded) −\(file.linesRemoved))</summary>\n\n\(fence)diff\n\(file.diff)\(file.diff.hasSuffix("\n") ? "" : "\n")\(fence)\n\n</details>\n"
            }
        }
        return text
    }

    private func json() throws -> String {
        func strings(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }
        func reach(_ items: [AccessReview.Reach]) -> JSONValue {
            .array(
                items.map { cell in
                    .object([
                        ("node", .string(cell.node)), ("port", .int(cell.port)), ("service", .string(cell.service)),
                        ("vantage", .string(cell.vantage)), ("other_owners", strings(cell.otherOwners)),
                    ])
                })
        }
        func policy(_ items: [PolicyAccess.Reach]) -> JSONValue {
            .array(
                items.map { cell in
                    .object([
                        ("tailnet", .string(cell.tailnet)), ("source", .string(cell.source)),
                        ("destination", .string(cell.destination)),
                        ("ports", cell.ports.map { .array($0.map { .int($0) }) } ?? .string("*")),
                        ("except", .array(cell.except.map { .int($0) })), ("carriers", strings(cell.carriers)),
                    ])
                })
        }
        let files: [JSONValue] = review.files.map { file in
            .object([
                ("path", .string(file.path)), ("change", .string(file.kind.rawValue)),
                ("lines_added", .int(file.linesAdded)), ("lines_removed", .int(file.linesRemoved)),
                ("caused_by", .array((causes[file.path] ?? []).map(Self.json))),
            ])
        }
        return try JanssonEncoder.encode(
            .object([
                ("widens_access", .bool(review.widensAccess)),
                ("needs_approval", .bool(review.needsApproval)),
                ("unbuilt", strings(review.unbuilt)),
                ("reach_gained", reach(review.reachGained)),
                ("reach_lost", reach(review.reachLost)),
                ("policy_reach_gained", policy(review.policyGained)),
                ("policy_reach_lost", policy(review.policyLost)),
                ("readers_gained", strings(review.readersGained)),
                ("readers_lost", strings(review.readersLost)),
                ("code_execution_gained", strings(review.codeGained)),
                ("code_execution_lost", strings(review.codeLost)),
                ("acceptances_added", strings(review.acceptancesAdded)),
                ("acceptances_removed", strings(review.acceptancesRemoved)),
                ("secrets_added", strings(review.secretsAdded)),
                ("secrets_removed", strings(review.secretsRemoved)),
                ("findings_new", strings(review.findingsNew)),
                ("findings_gone", strings(review.findingsGone)),
                ("files", .array(files)),
            ]))
    }

    private static func json(_ cause: ChangeCause) -> JSONValue {
        .object([
            ("file", .string(cause.file)),
            ("line", cause.location.map { .int($0.line) } ?? .null),
            ("column", cause.location.map { .int($0.column) } ?? .null),
            ("path", .string(cause.path.description)),
            ("text", .string(cause.text)),
            ("removed", .bool(cause.removed)),
        ])
    }

    /// HTML's special characters, for text inside HTML elements (where Markdown escapes show).
    static func escapeHTML(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
    }

    /// Markdown and HTML special characters of free text, so a value cannot break the comment.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "*", "_", "`", "|", "[", "]", "\\": escaped += "\\\(character)"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
