import SparkDiagnostics

/// Finds the blocks of a rendered file by their first line, so an emitter that renders a
/// whole document at once (a YAML or JSON encoder) can still say which lines each Plan
/// element became, without the encoder knowing about origins.
///
/// A block is its first line and every following line indented deeper (a YAML list item or
/// mapping entry, an indented script block), plus a closing `}` or `]` at the first line's
/// indentation (a JSON object). Anchors are looked for in order from the last block found, so
/// equal lines in different places are told apart by the order the emitter marks them in.
struct OriginMarks {
    private let lines: [Substring]
    private var cursor = 0
    private(set) var blocks: [OriginBlock] = []
    /// Anchors that matched no line: a marker that drifted from its emitter (tests check none do).
    private(set) var missed: [String] = []

    init(_ contents: String) {
        lines = contents.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The block whose first line starts with `anchor` once indentation is dropped.
    mutating func block(_ anchor: String, _ paths: [SpecPath]) {
        guard !paths.isEmpty, let start = find(anchor) else { return }
        cursor = start + 1
        blocks.append(OriginBlock(lines: (start + 1)...(end(of: start) + 1), paths: paths))
    }

    /// The one line that starts with `anchor` once indentation is dropped.
    mutating func line(_ anchor: String, _ paths: [SpecPath]) {
        guard !paths.isEmpty, let start = find(anchor) else { return }
        cursor = start + 1
        blocks.append(OriginBlock(lines: (start + 1)...(start + 1), paths: paths))
    }

    /// Every line of the file: for a file that renders one Plan element (a model's launch script).
    mutating func whole(_ paths: [SpecPath]) {
        guard !paths.isEmpty else { return }
        blocks.append(OriginBlock(lines: 1...max(1, lines.count - (lines.last?.isEmpty == true ? 1 : 0)), paths: paths))
    }

    /// The items of the list or JSON array whose line starts with `anchor`: the n-th item
    /// (a `- ` or `{` line) gets `paths[n]`.
    mutating func items(of anchor: String, _ paths: [[SpecPath]]) {
        children(of: anchor, paths) { $0.hasPrefix("- ") || $0 == "-" || $0.hasPrefix("{") }
    }

    /// The entries of the mapping whose line starts with `anchor`: the n-th key one level
    /// deeper gets `paths[n]`.
    mutating func entries(of anchor: String, _ paths: [[SpecPath]]) {
        children(of: anchor, paths) { !$0.hasPrefix("}") && !$0.hasPrefix("]") }
    }

    private mutating func children(of anchor: String, _ paths: [[SpecPath]], opens: (Substring) -> Bool) {
        guard let start = find(anchor) else { return }
        let end = end(of: start)
        var childIndent: Int?
        var index = 0
        var line = start + 1
        while line <= end, index < paths.count {
            let depth = indent(lines[line])
            if opens(lines[line].dropFirst(depth)), depth == (childIndent ?? depth) {
                childIndent = depth
                let last = self.end(of: line)
                if !paths[index].isEmpty { blocks.append(OriginBlock(lines: (line + 1)...(last + 1), paths: paths[index])) }
                index += 1
                line = last + 1
            } else {
                line += 1
            }
        }
        cursor = end + 1
    }

    private mutating func find(_ anchor: String) -> Int? {
        let lines = self.lines
        let matches: (Int) -> Bool = { index in lines[index].drop { $0 == " " }.hasPrefix(anchor) }
        if let found = (cursor..<lines.count).first(where: matches) ?? (0..<min(cursor, lines.count)).first(where: matches) {
            return found
        }
        missed.append(anchor)
        return nil
    }

    /// The last line of the block that starts at `start` (0-based).
    private func end(of start: Int) -> Int {
        let depth = indent(lines[start])
        let head = lines[start].dropFirst(depth)
        // A key whose list is written at the key's own indentation (`model_list:` then `- …`).
        let ownsCompactList = head.hasSuffix(":") && !head.hasPrefix("- ")
        var last = start
        var line = start + 1
        while line < lines.count {
            let text = lines[line]
            let trimmed = text.dropFirst(indent(text))
            if trimmed.isEmpty { break }
            if indent(text) > depth || (ownsCompactList && indent(text) == depth && (trimmed.hasPrefix("- ") || trimmed == "-")) {
                last = line
            } else if indent(text) == depth && (trimmed.hasPrefix("}") || trimmed.hasPrefix("]")) {
                return line
            } else {
                break
            }
            line += 1
        }
        return last
    }

    private func indent(_ line: Substring) -> Int {
        line.prefix { $0 == " " }.count
    }
}
