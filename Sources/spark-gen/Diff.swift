import ArgumentParser
import SparkGenKit

/// `spark-gen diff`: show how a fresh build differs from a tree on disk; exit 1 on drift.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show a unified diff between a fresh build and an output directory.",
        discussion: "Exits 0 when they are identical and 1 when they differ, for review and CI drift checks.")

    @Argument(help: "The topology file.")
    var topology: String

    @Option(help: "The directory to compare with (default: out/<example name>).")
    var against: String?

    @OptionGroup var report: ReportOptions

    func run() throws {
        let compilation = Compilation.run(path: topology)
        try Outcome.report([compilation], report)
        guard let artifacts = compilation.artifacts else { throw ExitCode(2) }
        let directory = against ?? OutputLocation.defaultDirectory(for: topology)
        let diff = TreeDiff(fresh: artifacts, against: directory)
        guard !diff.isClean else { return }
        print(diff.text, terminator: "")
        printError("\(diff.changedPaths.count) file(s) differ from \(directory); run 'spark-gen build \(topology)' to update it")
        throw ExitCode(1)
    }
}
