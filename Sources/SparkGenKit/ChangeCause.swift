import SparkDiagnostics
import SparkEmit

/// A topology entry that a review names as the cause of a changed file: where it is written
/// in HEAD (or, for an entry HEAD removed, in BASE) and what the line says.
public struct ChangeCause: Hashable, Sendable {
    public let path: SpecPath
    public let file: String
    public let location: SourceLocation?
    public let text: String
    /// True when HEAD no longer has the entry: the position is BASE's.
    public let removed: Bool

    /// `topology.yaml:12:5: models.m.max_tokens — max_tokens: 4096`, as `why` prints origins.
    public var line: String {
        let position = location.map { "\(file):\($0.line):\($0.column)" } ?? file
        return "\(position): \(path) — \(text)\(removed ? " (removed; the line is BASE's)" : "")"
    }

    /// For each changed file, the topology changes that caused it.
    ///
    /// The origins of the changed lines (HEAD's for added lines, BASE's for removed ones) are
    /// compared between the versions and the entries that differ under them named. When none
    /// differs the change came from elsewhere (a default, another node's entry): then the
    /// file's own origin, and last the whole document, are compared instead.
    public static func causes(base: Compilation, head: Compilation, limit: Int = 5) -> [String: [ChangeCause]] {
        guard let baseArtifacts = base.artifacts, let headArtifacts = head.artifacts else { return [:] }
        let old = Dictionary(baseArtifacts.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(headArtifacts.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let baseSource = TopologySource(base), headSource = TopologySource(head)
        var result: [String: [ChangeCause]] = [:]
        for path in Set(old.keys).union(new.keys) where old[path]?.contents != new[path]?.contents {
            let before = old[path], after = new[path]
            let changed = UnifiedDiff.changedLines(old: before?.contents ?? "", new: after?.contents ?? "")
            var origins: [SpecPath] = [], fileOrigins: [SpecPath] = []
            func collect(_ artifact: Artifact?, _ lines: [Int]) {
                guard let artifact else { return }
                for line in lines {
                    for block in artifact.origins(ofLine: line) {
                        for origin in block.paths where !origins.contains(origin) { origins.append(origin) }
                    }
                }
                for block in artifact.origins where block.fileLevel {
                    for origin in block.paths where !fileOrigins.contains(origin) { fileOrigins.append(origin) }
                }
            }
            collect(after, changed.added)
            collect(before, changed.removed)
            var differing: [SpecPath] = []
            for candidates in [origins, fileOrigins, [SpecPath.root]] where differing.isEmpty {
                for origin in candidates {
                    for difference in TopologyDelta.differences(baseSource, headSource, under: origin) where !differing.contains(difference) {
                        differing.append(difference)
                    }
                }
            }
            // Of several changes under one origin (a model's max_tokens and its vLLM flags), the
            // ones whose key or value the changed lines show are this file's.
            let lines = changed.added.map { Self.line($0, of: after) } + changed.removed.map { Self.line($0, of: before) }
            let shown = differing.filter { evidenced($0, in: lines, base: baseSource, head: headSource) }
            result[path] = (shown.isEmpty ? differing : shown).prefix(limit).map { cause(at: $0, base: baseSource, head: headSource) }
        }
        return result
    }

    private static func line(_ number: Int, of artifact: Artifact?) -> Substring {
        guard let artifact else { return "" }
        let lines = artifact.contents.split(separator: "\n", omittingEmptySubsequences: false)
        return number >= 1 && number <= lines.count ? lines[number - 1] : ""
    }

    /// True when a changed line names the entry's key (as `max_tokens` or `--max-tokens`) or
    /// shows its old or new value as a whole word.
    private static func evidenced(_ path: SpecPath, in lines: [Substring], base: TopologySource, head: TopologySource) -> Bool {
        var words: [String] = []
        if case .key(let key)? = path.components.last {
            words += [key, key.replacingAll("_", with: "-")]
        }
        for source in [base, head] {
            if let value = source.node(at: path)?.scalar, !value.isEmpty { words.append(value) }
        }
        return lines.contains { line in words.contains { Self.containsWord($0, in: line) } }
    }

    /// Whole-word match: the line split at characters no key or value is made of, with flag
    /// dashes and a key's colon trimmed.
    private static func containsWord(_ word: String, in line: Substring) -> Bool {
        let tokens = line.split { !($0.isLetter || $0.isNumber || "_-./:@".contains($0)) }
        return tokens.contains { token in
            var token = token.drop { $0 == "-" }
            while token.last == ":" || token.last == "," { token = token.dropLast() }
            return token == word
        }
    }

    private static func cause(at path: SpecPath, base: TopologySource, head: TopologySource) -> ChangeCause {
        let removed = head.node(at: path) == nil && base.node(at: path) != nil
        let source = removed ? base : head
        let location = source.location(of: path)
        return ChangeCause(path: path, file: source.file, location: location, text: location.map(source.text(at:)) ?? "", removed: removed)
    }
}
