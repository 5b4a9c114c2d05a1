import SparkDiagnostics
import SparkEmit
import SparkJSON

/// `spark-gen why`: the topology lines a generated file, or one of its lines, came from.
///
/// The compilation must have run with `OriginRecording` on; the file is found by its path in
/// the output tree (with or without the tree's own directory in front), or by its absolute
/// path on a node.
public struct WhyQuery {
    /// One origin: the topology entry, where it is written and what it says.
    public struct Origin: Sendable {
        public let path: SpecPath
        public let location: SourceLocation?
        public let text: String
        /// The generated lines the origin answers for.
        public let lines: ClosedRange<Int>
        public let fileLevel: Bool
    }

    /// A request that names no file or line of the build: said as a diagnostic, with a fix.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let artifact: Artifact
    public let line: Int?
    public let origins: [Origin]
    let source: TopologySource

    /// Finds `file` (`path[:LINE]`) among the compilation's artifacts and the origins of the line,
    /// or of every block of the file when no line is given.
    public init(_ compilation: Compilation, file request: String, node: String? = nil) throws {
        guard let artifacts = compilation.artifacts else {
            throw Failure(
                description: "\(compilation.file): error: the topology does not build, so it has no generated files to explain\n"
                    + "  help: run 'spark-gen lint \(compilation.file)' and fix its errors first")
        }
        let (name, line) = Self.split(request)
        let artifact = try Self.find(name, node: node, in: artifacts)
        self.artifact = artifact
        self.line = line
        let source = TopologySource(compilation)
        self.source = source
        let count = artifact.lineCount
        if let line, line < 1 || line > count {
            throw Failure(
                description: "\(name):\(line):1: error: line \(line) is outside the file, which has \(count) line\(count == 1 ? "" : "s")\n"
                    + "  help: give a line from 1 to \(count), or leave out ':\(line)' for every origin of the file")
        }
        let blocks = line.map { artifact.origins(ofLine: $0) } ?? artifact.allOrigins
        var seen = Set<SpecPath>()
        var origins: [Origin] = []
        for block in blocks {
            for path in block.paths where seen.insert(path).inserted {
                let location = source.location(of: path)
                origins.append(
                    Origin(path: path, location: location, text: location.map(source.text(at:)) ?? "", lines: block.lines, fileLevel: block.fileLevel))
            }
        }
        self.origins = origins
    }

    /// `topology.yaml:LINE:COL: <spec path> — <the source line>`, one line per origin.
    public func text() -> String {
        origins.map { origin in
            let position = origin.location.map { "\(source.file):\($0.line):\($0.column)" } ?? source.file
            return "\(position): \(origin.path) — \(origin.text)\n"
        }.joined()
    }

    public func json() throws -> String {
        let items: [JSONValue] = origins.map { origin in
            .object([
                ("file", .string(source.file)),
                ("line", origin.location.map { .int($0.line) } ?? .null),
                ("column", origin.location.map { .int($0.column) } ?? .null),
                ("path", .string(origin.path.description)),
                ("text", .string(origin.text)),
                ("level", .string(origin.fileLevel ? "file" : "block")),
                ("output_lines", .array([.int(origin.lines.lowerBound), .int(origin.lines.upperBound)])),
            ])
        }
        return try JanssonEncoder.encode(
            .object([
                ("output", .string(artifact.path)),
                ("line", line.map { .int($0) } ?? .null),
                ("origins", .array(items)),
            ]))
    }

    /// `a/b.yaml:12` → (`a/b.yaml`, 12); a name without a numeric tail has no line.
    static func split(_ request: String) -> (String, Int?) {
        guard let colon = request.lastIndex(of: ":"), let line = Int(request[request.index(after: colon)...]) else { return (request, nil) }
        return (String(request[..<colon]), line)
    }

    /// The artifact named by its tree path, by a path ending in it, or by a node's absolute path.
    static func find(_ name: String, node: String?, in artifacts: [Artifact]) throws -> Artifact {
        let nodes = Set(
            artifacts.compactMap { artifact -> String? in
                let parts = artifact.path.split(separator: "/")
                return parts.count > 2 && parts[0] == "nodes" ? String(parts[1]) : nil
            }
        ).sorted()
        if let node, !nodes.contains(node) {
            throw Failure(
                description:
                    "error: no node '\(node)' has generated files\n  help: \(Suggestion.hint(for: node, in: nodes))nodes: \(nodes.joined(separator: ", "))")
        }
        let trimmed = name.hasPrefix("./") ? String(name.dropFirst(2)) : name
        let wanted = node.map { "nodes/\($0)" + (trimmed.hasPrefix("/") ? trimmed : "/" + trimmed) }
        if let wanted, let found = artifacts.first(where: { $0.path == wanted }) { return found }
        if let found = artifacts.first(where: { $0.path == trimmed }) { return found }
        // `out/lab/nodes/…` or a node's absolute path: the artifacts whose path the name ends with.
        let matches = artifacts.filter { artifact in
            trimmed.hasSuffix("/" + artifact.path)
                || (trimmed.hasPrefix("/") && artifact.path.hasPrefix("nodes/")
                    && artifact.path.split(separator: "/", maxSplits: 2).count == 3
                    && "/" + artifact.path.split(separator: "/", maxSplits: 2)[2] == trimmed)
        }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw Failure(
                description: "\(name): error: \(matches.count) nodes have a file at this path\n"
                    + "  help: name the node with --node (\(matches.map { $0.path.split(separator: "/")[1] }.joined(separator: ", "))), "
                    + "or give the path in the tree: \(matches.map(\.path).joined(separator: ", "))")
        }
        let paths = artifacts.map(\.path)
        let base = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
        let sameName = paths.filter { $0.hasSuffix("/" + base) || $0 == base }
        let nearest = Suggestion.nearest(to: wanted ?? trimmed, in: paths)
        var help = nearest.map { "did you mean '\($0)'?" } ?? ""
        if !sameName.isEmpty {
            help += (help.isEmpty ? "" : " ") + "files named \(base): \(sameName.prefix(6).joined(separator: ", "))"
        } else if nearest == nil {
            let names = Set(paths.map { $0.split(separator: "/").last.map(String.init) ?? $0 })
            help += Suggestion.nearest(to: base, in: Array(names)).map { "a generated file is named '\($0)'; " } ?? ""
            help += "give a path inside the output tree, such as \(paths.first { $0.hasPrefix("nodes/") } ?? paths.first ?? "nodes/NODE/…")"
        }
        throw Failure(description: "\(name): error: spark-gen generates no file at this path\n  help: \(help)")
    }
}
