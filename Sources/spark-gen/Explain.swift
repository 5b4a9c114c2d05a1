import ArgumentParser
import SparkDiagnostics
import SparkRules

/// `spark-gen explain ID`: why a rule exists, how to fix a finding, and its examples; or what
/// an input error (SP002, unknown-key…) means and how to fix it.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Explain one rule or diagnostic id: the failure it prevents, the fix, and its examples.")

    @Argument(help: "A rule id, such as ST001, or a diagnostic id, such as SP002.")
    var rule: String

    func run() throws {
        if let id = DiagnosticID.lookup(rule) {
            print(Self.render(id), terminator: "")
            return
        }
        guard let found = RuleCatalog.rule(id: rule.uppercased()) else {
            let ids = RuleCatalog.rules.map(\.description.id) + DiagnosticID.all.map(\.code)
            let hint = Suggestion.nearest(to: rule.uppercased(), in: ids).map { "did you mean \($0)? " } ?? ""
            printError(
                "error: there is no rule or diagnostic '\(rule)'\n"
                    + "  help: \(hint)'spark-gen rules' and 'spark-gen rules --input-errors' list the ids")
            throw ExitCode(2)
        }
        let rule = found.description
        var text = "\(rule.id): \(rule.title) (\(rule.severity.rawValue))\n\n"
        text += "Why\n" + Self.wrap(rule.rationale, indent: "  ") + "\n"
        text += "Fix\n" + Self.wrap(rule.help, indent: "  ") + "\n"
        text += "Triggers (↓ marks where the finding points)\n"
        for example in rule.triggering { text += try Self.render(example) }
        text += "Does not trigger\n"
        for example in rule.nonTriggering { text += try Self.render(example) }
        var fixtures: [RuleExampleFixture] = []
        for fixture in (rule.triggering + rule.nonTriggering).map(\.fixture) where !fixtures.contains(where: { $0.name == fixture.name }) {
            fixtures.append(fixture)
        }
        if !fixtures.isEmpty { text += Self.render(fixtures: fixtures) }
        print(text, terminator: "")
    }

    static func render(_ id: DiagnosticID) -> String {
        var text = "\(id.code) \(id.name): \(id.title) (\(id.severity.rawValue), \(id.domain.title.lowercased()))\n\n"
        text += "What it means\n" + wrap(id.meaning, indent: "  ") + "\n"
        text += "Allowed\n" + wrap(id.allowed, indent: "  ") + "\n"
        text += "Fix\n" + wrap(id.fix, indent: "  ")
        if let example = id.example {
            text += "\nFor example\n" + example.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)\n" }.joined()
        }
        return text
    }

    static func render(_ example: RuleExample) throws -> String {
        let applied = try example.applied()
        guard !applied.hunks.isEmpty else { return "  \(example.fixture.name), as it is\n\n" }
        var text = "  \(example.fixture.name), with:\n"
        for hunk in applied.hunks {
            text += hunk.parents.map { "      \($0)\n" }.joined()
            if hunk.gap, let first = (hunk.before + hunk.removed + hunk.added).first {
                text += "      " + String(repeating: " ", count: first.prefix { $0 == " " }.count) + "…\n"
            }
            text += hunk.before.map { "      \($0)\n" }.joined()
            text += hunk.removed.map { "    - \($0)\n" }.joined()
            text += hunk.added.map { "    + \($0)\n" }.joined()
            text += hunk.after.map { "      \($0)\n" }.joined()
        }
        return text + "\n"
    }

    /// The bases the examples start from, in full, so the examples above read on their own. The
    /// heading says what a reader needs of them: each is as small as its rules allow and lints
    /// clean (RuleExampleFixtureTests), so an example's finding comes from the lines it shows.
    static func render(fixtures: [RuleExampleFixture]) -> String {
        "Base topologies (minimal, lint clean: each example above edits only the lines it shows)\n"
            + fixtures.map { fixture in
                "  \(fixture.name): \(fixture.summary)\n"
                    + fixture.yaml.split(separator: "\n").map { "      \($0)\n" }.joined()
            }.joined(separator: "\n")
    }

    /// Words wrapped at 88 columns under an indent; each line break of `text` starts a paragraph,
    /// and a line that starts with spaces (a table row) is kept as it is.
    static func wrap(_ text: String, indent: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { paragraph in
            paragraph.hasPrefix(" ") ? indent + paragraph + "\n" : wrapParagraph(String(paragraph), indent: indent)
        }.joined()
    }

    private static func wrapParagraph(_ text: String, indent: String) -> String {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > 88 && line != indent {
                lines.append(line)
                line = indent
            }
            line += (line == indent ? "" : " ") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }
}
