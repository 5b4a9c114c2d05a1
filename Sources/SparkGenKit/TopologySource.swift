import SparkDiagnostics
import SparkYAML

/// A topology's text read again as a tree, for saying where a spec path is written and what
/// it says there: the positions `why` prints and the entries `review` compares.
///
/// Built only by the commands that ask where lines come from; a build never parses twice.
public struct TopologySource: Sendable {
    /// The file as the user named it.
    public let file: String
    let root: YAMLNode?
    private let lines: [Substring]

    public init(_ compilation: Compilation) {
        file = compilation.file
        let text = compilation.text
        root = YAMLParser.parse(Array(text.utf8)).root
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// Where `path` (or its nearest written ancestor) is written: the key's position for a
    /// mapping entry, so an entry whose value is a block points at its `name:` line.
    public func location(of path: SpecPath) -> SourceLocation? {
        var current = root
        var location = root?.location
        for component in path.components {
            guard let node = current else { break }
            switch component {
            case .key(let key):
                let pair = node.mapping?.first { $0.key.scalar == key }
                current = pair?.value
                if let pair { location = pair.key.location }
            case .index(let index):
                current = node.sequence.flatMap { index < $0.count ? $0[index] : nil }
                if let current { location = current.location }
            }
        }
        return location
    }

    /// The source line at `location`, without its indentation and trailing blanks.
    public func text(at location: SourceLocation) -> String {
        guard location.line >= 1, location.line <= lines.count else { return "" }
        let line = lines[location.line - 1]
        return String(line.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }

    /// The node written at `path`, if the file has one there.
    func node(at path: SpecPath) -> YAMLNode? {
        var current = root
        for component in path.components {
            guard let node = current else { return nil }
            switch component {
            case .key(let key): current = node.mapping?.first { $0.key.scalar == key }?.value
            case .index(let index): current = node.sequence.flatMap { index < $0.count ? $0[index] : nil }
            }
        }
        return current
    }
}
