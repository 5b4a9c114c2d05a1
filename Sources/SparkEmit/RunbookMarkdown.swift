/// The one place that knows how a runbook step's parts print as Markdown: prose as paragraphs,
/// lists as bullets, commands as a block fenced with its shell, each part separated from the one before by
/// a blank line.
enum RunbookMarkdown {
    /// A step's parts, after its heading.
    static func render(_ parts: [RunbookPart]) -> String {
        var text = ""
        render(parts, into: &text)
        return text
    }

    /// Appends the parts to `text`: a runbook is printed into one String, with no String made
    /// per item, part or step and joined (those were most of the runbooks' printing time).
    static func render(_ parts: [RunbookPart], into text: inout String) {
        for (index, part) in parts.enumerated() {
            if index > 0, !part.continues { text += "\n" }
            render(part, into: &text)
        }
    }

    static func render(_ part: RunbookPart, into text: inout String) {
        switch part {
        case .note(let note):
            text += note
            text += "\n"
        case .list(let items, _):
            for item in items {
                text += "- "
                text += item
                text += "\n"
            }
        case .probes(let probes, _):
            for probe in probes {
                text += "- "
                code(probe.command, into: &text)
                text += probe.outcome
                text += "\n"
            }
        case .probeSentence(let probes):
            for (index, probe) in probes.enumerated() {
                text += index == 0 ? "From " : "; from "
                if let from = probe.from {
                    text += from
                    text += ", "
                }
                code(probe.command, into: &text)
                text += probe.outcome
            }
            text += ".\n"
        case .commands(let commands, _, let shell):
            text += "```"
            text += shell.rawValue
            text += "\n"
            for command in commands {
                text += command.text
                text += "\n"
            }
            text += "```\n"
        }
    }

    /// A probe's command as a code span and a space; nothing without one.
    private static func code(_ command: String?, into text: inout String) {
        guard let command else { return }
        text += "`"
        text += command
        text += "` "
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
