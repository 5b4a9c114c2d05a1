import ArgumentParser
import SparkGenKit

/// The `spark-gen` command: compile a topology into every artifact of the stack.
@main
struct SparkGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spark-gen",
        abstract: "Compile one topology.yaml into every config, unit, script and policy of a self-hosted LLM stack.",
        discussion: """
            Exit codes: 0 success, 1 findings or drift, 2 unreadable or invalid input, or a usage error.
            """,
        version: "0.1.0",
        subcommands: [Init.self, Build.self, Lint.self, Diff.self, Review.self, Why.self, Trust.self, Graph.self, Rules.self, Explain.self])

    /// Runs the command and maps every failure to the documented exit codes, including
    /// ArgumentParser's own usage errors (which would otherwise exit 64).
    static func main() {
        do {
            if let plain = Lint.plainArguments(Array(CommandLine.arguments.dropFirst())) {
                try Lint.run(plain.topologies, format: .text, color: ReportOptions.colorByDefault, strict: false, quiet: plain.quiet)
                return
            }
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { printError(message) }
            exit(withError: ExitCode(2))
        }
    }
}

func printError(_ text: String, terminator: String = "\n") {
    var stderr = StandardError()
    print(text, terminator: terminator, to: &stderr)
}
