import ArgumentParser
import SparkEmit
import SparkGenKit

/// `spark-gen review`: what a topology change does to trust, before any file diff.
struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Show what a topology change does to trust: who gains or loses access, then the changed files.",
        discussion: """
            Compares BASE and HEAD, or with --git REV the version of HEAD's file at that revision. \
            Exits 1 when access widens (new reach to a listener, a tailnet policy newly letting any identity \
            it names open a port, another owner newly reading prompts or \
            running code, a newly accepted risk) or the change brings error findings, so CI can ask for an \
            extra approval; 0 otherwise; 2 when a version cannot be read or decoded.
            """)

    @Argument(help: "The base topology file (omit with --git).")
    var files: [String]

    @Option(help: "Read the base from this git revision of the head file's path (e.g. origin/main).")
    var git: String?

    @Option(help: "text, markdown (for a pull-request comment) or json.")
    var format: ReviewFormat = .text

    @Flag(help: "Append the unified diff of every changed file.")
    var diff = false

    enum ReviewFormat: String, CaseIterable, ExpressibleByArgument {
        case text, markdown, json
    }

    func validate() throws {
        if git == nil && files.count != 2 { throw ValidationError("give BASE and HEAD, or --git REV and HEAD") }
        if git != nil && files.count != 1 { throw ValidationError("with --git, give only HEAD") }
    }

    func run() throws {
        let headPath = files[files.count - 1]
        let base: Compilation
        if let revision = git {
            do {
                // Findings in the base are positioned in HEAD's path, the file the reviewer has open.
                let bytes = try GitFile.read(headPath, at: revision)
                base = OriginRecording.$isOn.withValue(true) { Compilation.run(bytes: bytes, file: headPath) }
            } catch {
                printError("error: \(error)\n  help: check the revision and that \(headPath) existed there, or give the base version as a file")
                throw ExitCode(2)
            }
        } else {
            base = OriginRecording.$isOn.withValue(true) { Compilation.run(path: files[0]) }
        }
        // Origins are recorded so each changed file can name the topology change behind it.
        let head = OriginRecording.$isOn.withValue(true) { Compilation.run(path: headPath) }
        guard let basePlan = base.plan, let headPlan = head.plan else {
            // A version that cannot be planned has nothing to compare: show why for both, as lint would.
            // ReportOptions() outside parsing would trap (its @Option wrappers are unset): pass values.
            try? Outcome.report([base, head].filter { $0.plan == nil }, format: .text, color: ReportOptions.colorByDefault, strict: false, quiet: false)
            throw ExitCode(2)
        }
        let review = AccessReview(
            base: basePlan, head: headPlan, baseDiagnostics: base.diagnostics, headDiagnostics: head.diagnostics,
            baseArtifacts: base.artifacts, headArtifacts: head.artifacts)
        let format = AccessReviewReport.Format(rawValue: self.format.rawValue) ?? .text
        let causes = ChangeCause.causes(base: base, head: head)
        print(try AccessReviewReport(review, includeDiffs: diff, causes: causes).render(format), terminator: "")
        if review.needsApproval { throw ExitCode(1) }
    }
}
