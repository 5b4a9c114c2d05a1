import ArgumentParser
import SparkGenKit

/// `spark-gen lint`: parse and validate, write nothing; for pre-commit hooks.
struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check topologies against the rule catalog without writing anything.")

    @Argument(help: "One or more topology files.")
    var topologies: [String]

    @OptionGroup var report: ReportOptions

    func run() throws {
        try Outcome.report(topologies.map { Compilation.run(path: $0) }, report)
    }
}
