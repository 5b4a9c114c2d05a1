import SparkDiagnostics

/// Lines of one generated file and the topology entries that produced them (Butane's
/// translation set, by line): what `spark-gen why` prints and what `review` names as the
/// cause of a changed block.
public struct OriginBlock: Hashable, Sendable {
    /// 1-based, inclusive line numbers in the artifact.
    public let lines: ClosedRange<Int>
    /// The topology entries, most specific first.
    public let paths: [SpecPath]
    /// True for the whole-file fallback (the node, tailnet or stack the file belongs to), which
    /// only answers for lines no block claims.
    public let fileLevel: Bool

    public init(lines: ClosedRange<Int>, paths: [SpecPath], fileLevel: Bool = false) {
        self.lines = lines
        self.paths = paths
        self.fileLevel = fileLevel
    }
}

extension Artifact {
    /// The blocks that produced `line`, innermost first; the file-level origin when no block
    /// claims it. Empty only when origins were not recorded (`OriginRecording`).
    public func origins(ofLine line: Int) -> [OriginBlock] {
        let blocks = origins.filter { !$0.fileLevel && $0.lines.contains(line) }.sorted { $0.lines.count < $1.lines.count }
        return blocks.isEmpty ? origins.filter { $0.fileLevel && $0.lines.contains(line) } : blocks
    }

    /// Every origin of the file, blocks in line order and then the file-level one.
    public var allOrigins: [OriginBlock] {
        origins.filter { !$0.fileLevel }.sorted { ($0.lines.lowerBound, $0.lines.upperBound) < ($1.lines.lowerBound, $1.lines.upperBound) }
            + origins.filter(\.fileLevel)
    }

    /// The number of lines, as an editor counts them (a final newline ends the last line).
    public var lineCount: Int {
        var count = 0
        var last: Character = "\n"
        for character in contents {
            if character == "\n" { count += 1 }
            last = character
        }
        return last == "\n" ? count : count + 1
    }
}
