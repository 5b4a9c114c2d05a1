import ArgumentParser
import SparkGenKit

/// `spark-gen trust`: the trust model a topology implies.
struct Trust: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Print who can read whose prompts, who can run code where, and the reachability of every port.")

    @Argument(help: "The topology file.")
    var topology: String

    @Option(help: "text, or json for the reachability matrix alone (for test harnesses).")
    var format: TrustFormat = .text

    enum TrustFormat: String, CaseIterable, ExpressibleByArgument {
        case text, json
    }

    func run() throws {
        let compilation = Compilation.run(path: topology, through: .plan)
        let plan = try Outcome.plan(compilation)
        let report = TrustReport(plan: plan)
        print(format == .json ? try report.renderJSON() : report.render(), terminator: "")
        // The report describes a broken stack too; the exit code still says it is broken.
        if compilation.hasErrors { throw ExitCode(1) }
    }
}
