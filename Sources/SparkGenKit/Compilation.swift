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
    /// The file's bytes, for quoting the source under a diagnostic. Kept as bytes: decoding a
    /// fleet's 4 MB as text is work only `why` and `review` need, and a report quotes lines.
    let bytes: [UInt8]
    /// The file's text (invalid UTF-8 repaired).
    var text: String { String(decoding: bytes, as: UTF8.self) }
    public let diagnostics: [Diagnostic]
    public let plan: Plan?
    public let artifacts: [Artifact]?

    /// The file's lines, for a report to quote (a clean lint of a fleet never does).
    public var sourceLines: SourceLines { SourceLines(bytes: bytes) }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// How far a compilation goes. The findings are the same at every stage.
    public enum Stage: Sendable {
        /// Lint: the plan as far as the rules read it (`PlanResolver.Parts.rules`: no runbook
        /// steps, config file contents or /etc/hosts lines), then the rules. Such a plan
        /// cannot be emitted.
        case rules
        /// Trust, graph, and build (which writes the files itself): the whole plan and the
        /// rules, no files in memory; on a fleet holding them is most of the time.
        case plan
        /// The whole plan, the rules, and every artifact in memory (diff, why, review, tests).
        case artifacts
    }

    /// Compiles the file at `path` up to `stage`. Never throws: unreadable input becomes a
    /// diagnostic.
    public static func run(path: String, through stage: Stage = .artifacts) -> Compilation {
        guard let bytes = FileSystem.contents(path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            let diagnostic = Diagnostic(.fileUnreadable, "the topology file \(reason)", help: "check the path", file: path)
            return Compilation(file: path, bytes: [], diagnostics: [diagnostic], plan: nil, artifacts: nil)
        }
        return run(bytes: bytes, file: path, through: stage)
    }

    public static func run(bytes: [UInt8], file: String, through stage: Stage = .artifacts) -> Compilation {
        func finish(_ diagnostics: [Diagnostic], root: YAMLNode?, plan: Plan? = nil, artifacts: [Artifact]? = nil) -> Compilation {
            let index = LocationIndex(root, paths: diagnostics.compactMap { $0.location == nil ? $0.path : nil })
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
            return Compilation(file: file, bytes: bytes, diagnostics: bag.sorted, plan: plan, artifacts: artifacts)
        }

        let parsed = YAMLParser.parse(bytes)
        let yamlErrors = parsed.errors.map(\.diagnostic)
        if parsed.root == nil && !yamlErrors.isEmpty {
            return finish(yamlErrors, root: parsed.root)
        }
        let decoded = TopologyDecoder.decode(parsed.root)
        var diagnostics = yamlErrors + decoded.diagnostics
        guard let topology = decoded.topology, yamlErrors.isEmpty else {
            // Every problem in one run: references are checked on what could be decoded.
            if let partial = decoded.partial {
                diagnostics += PlanResolver.referenceErrors(partial, declared: decoded.declared)
            }
            return finish(diagnostics, root: parsed.root)
        }

        let resolved = PlanResolver.resolve(topology, sourceName: Self.displayName(file), parts: stage == .rules ? .rules : .all)
        diagnostics += resolved.diagnostics
        guard let plan = resolved.plan, !diagnostics.contains(where: { $0.severity == .error }) else {
            // Every finding in one run: the rules still read the part of the topology that resolves.
            if resolved.plan == nil {
                let partial = PartialResolution.resolve(topology, sourceName: Self.displayName(file), diagnostics: resolved.diagnostics)
                diagnostics += partial.diagnostics
                if let plan = partial.plan { diagnostics += partial.standing(RuleCatalog.check(RuleContext(plan: plan))) }
            }
            return finish(diagnostics, root: parsed.root)
        }
        // A stack that breaks a rule is not built: its files would carry the flaw to the nodes.
        diagnostics += RuleCatalog.check(RuleContext(plan: plan))
        guard !diagnostics.contains(where: { $0.severity == .error }), stage == .artifacts else {
            return finish(diagnostics, root: parsed.root, plan: plan)
        }
        do {
            let artifacts = try ArtifactEmitter.emit(plan)
            return finish(diagnostics, root: parsed.root, plan: plan, artifacts: artifacts)
        } catch {
            diagnostics.append(.error(.internalError, "internal error while writing artifacts: \(error)", help: "please report this with the topology"))
            return finish(diagnostics, root: parsed.root, plan: plan)
        }
    }

    /// The file's base name: generated headers must not carry the build machine's paths.
    static func displayName(_ file: String) -> String {
        file.split(separator: "/").last.map(String.init) ?? file
    }
}
