import ArgumentParser
import SparkGenKit

/// `spark-gen lint`: parse and validate, write nothing; for pre-commit hooks.
struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check topologies without writing anything.")

    @Argument(help: "One or more topology files.")
    var topologies: [String]

    func run() throws {
        var worst: Int32 = 0
        for topology in topologies {
            let compilation = Compilation.run(path: topology)
            do {
                try Outcome.report(compilation)
            } catch let code as ExitCode {
                worst = max(worst, code.rawValue)
            }
        }
        if worst != 0 { throw ExitCode(worst) }
    }
}
