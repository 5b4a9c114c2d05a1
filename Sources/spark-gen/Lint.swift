import ArgumentParser
import SparkGenKit

/// `spark-gen lint`: parse and validate, write nothing; for pre-commit hooks.
struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check topologies against the rule catalog without writing anything.")

    @Argument(help: "One or more topology files.")
    var topologies: [String]

    @OptionGroup var report: ReportOptions

    @Flag(name: .shortAndLong, help: "Print findings only: no summary line per file, no notes of accepted findings.")
    var quiet = false

    func run() throws {
        let compilations = topologies.map { Compilation.run(path: $0, emitting: false) }
        // A clean run says so: silence is indistinguishable from a hook that never ran.
        defer {
            if report.format == .text && !quiet {
                for compilation in compilations { printError(Outcome.summary(compilation)) }
            }
        }
        try Outcome.report(compilations, report, quiet: quiet)
    }
}
