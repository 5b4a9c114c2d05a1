/// The one place that knows how a runbook step's parts print as Markdown: prose as paragraphs,
/// lists as bullets, commands as a block fenced with its shell, each part separated from the one before by
/// a blank line.
enum RunbookMarkdown {
    /// A step's parts, after its heading.
    static func render(_ parts: [RunbookPart]) -> String {
        var text = ""
        for (index, part) in parts.enumerated() {
            if index > 0, !part.continues { text += "\n" }
            text += render(part)
        }
        return text
    }

    static func render(_ part: RunbookPart) -> String {
        switch part {
        case .note(let text): return text + "\n"
        case .list(let items, _): return items.map { "- \($0)\n" }.joined()
        case .probes(let probes, _): return probes.map { "- " + ($0.command.map { "`\($0)` " } ?? "") + $0.outcome + "\n" }.joined()
        case .probeSentence(let probes):
            return probes.enumerated().map { index, probe in
                (index == 0 ? "From " : "from ") + (probe.from.map { $0 + ", " } ?? "") + (probe.command.map { "`\($0)` " } ?? "") + probe.outcome
            }.joined(separator: "; ") + ".\n"
        case .commands(let commands, _, let shell): return "```\(shell.rawValue)\n" + commands.map { $0.text + "\n" }.joined() + "```\n"
        }
    }
}

extension RunbookPart {
    /// True for a part printed right after the one before, without a blank line.
    fileprivate var continues: Bool {
        switch self {
        case .list(_, let continuing), .probes(_, let continuing): return continuing
        case .note, .probeSentence, .commands: return false
        }
    }
}
