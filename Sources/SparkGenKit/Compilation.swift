import FoundationEssentials
import SparkDiagnostics
import SparkEmit
import SparkPlan
import SparkRules
import SparkSpec
import SparkYAML

/// One run of the pipeline over one topology file: read, parse, decode, resolve, emit.
///
/// Every stage's findings are collected and given file positions; artifacts exist only when
/// no stage found an error, so a failed build has nothing to write.
public struct Compilation: Sendable {
    /// The file as the user named it, used in messages.
    public let file: String
    /// The file's lines, for quoting the source under a diagnostic.
    public let sourceLines: [Substring]
    public let diagnostics: [Diagnostic]
    public let plan: Plan?
    public let artifacts: [Artifact]?

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Compiles the file at `path`. Never throws: unreadable input becomes a diagnostic.
    public static func run(path: String) -> Compilation {
        guard let bytes = FileSystem.contents(path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            let diagnostic = Diagnostic(.error, "the topology file \(reason)", help: "check the path", file: path)
            return Compilation(file: path, sourceLines: [], diagnostics: [diagnostic], plan: nil, artifacts: nil)
        }
        return run(bytes: bytes, file: path)
    }

    public static func run(bytes: [UInt8], file: String) -> Compilation {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func finish(_ diagnostics: [Diagnostic], index: LocationIndex, plan: Plan? = nil, artifacts: [Artifact]? = nil) -> Compilation {
            let located = diagnostics.map { diagnostic -> Diagnostic in
                var diagnostic = diagnostic
                diagnostic.file = file
                if diagnostic.location == nil, let path = diagnostic.path {
                    diagnostic.location = index.location(of: path)
                }
                return diagnostic
            }
            var bag = DiagnosticBag()
            bag.append(contentsOf: located)
            return Compilation(file: file, sourceLines: lines, diagnostics: bag.sorted, plan: plan, artifacts: artifacts)
        }

        let parsed = YAMLParser.parse(bytes)
        let index = LocationIndex(parsed.root)
        let yamlErrors = parsed.errors.map(\.diagnostic)
        if parsed.root == nil && !yamlErrors.isEmpty {
            return finish(yamlErrors, index: index)
        }
        let decoded = TopologyDecoder.decode(parsed.root)
        var diagnostics = yamlErrors + decoded.diagnostics
        guard let topology = decoded.topology, yamlErrors.isEmpty else {
            // Every problem in one run: references are checked on what could be decoded.
            if let partial = decoded.partial {
                diagnostics += PlanResolver.referenceErrors(partial, declared: decoded.declared)
            }
            return finish(diagnostics, index: index)
        }

        let resolved = PlanResolver.resolve(topology, sourceName: Self.displayName(file))
        diagnostics += resolved.diagnostics
        guard let plan = resolved.plan, !diagnostics.contains(where: { $0.severity == .error }) else {
            return finish(diagnostics, index: index)
        }
        // A stack that breaks a rule is not built: its files would carry the flaw to the nodes.
        diagnostics += RuleCatalog.check(RuleContext(topology: topology, plan: plan))
        guard !diagnostics.contains(where: { $0.severity == .error }) else {
            return finish(diagnostics, index: index, plan: plan)
        }
        do {
            let artifacts = try ArtifactEmitter.emit(plan)
            return finish(diagnostics, index: index, plan: plan, artifacts: artifacts)
        } catch {
            diagnostics.append(.error("internal error while writing artifacts: \(error)", help: "please report this with the topology"))
            return finish(diagnostics, index: index, plan: plan)
        }
    }

    /// The file's base name: generated headers must not carry the build machine's paths.
    static func displayName(_ file: String) -> String {
        file.split(separator: "/").last.map(String.init) ?? file
    }
}
