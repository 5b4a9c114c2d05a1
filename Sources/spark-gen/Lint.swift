import ArgumentParser
import SparkGenKit

/// `spark-gen lint`: parse and validate, write nothing; for pre-commit hooks.
struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "Check topologies against the rule catalog without writing anything.")

    @Argument(help: "One or more topology files.")
    var topologies: [String]

    @OptionGroup var report: ReportOptions

    @Flag(name: .shortAndLong, help: "Print findings only: no summary line per file, no notes of accepted findings.")
    var quiet = false

    func run() throws {
        try Self.run(topologies, format: report.format, color: report.useColor, strict: report.strict, quiet: quiet)
    }

    static func run(_ topologies: [String], format: ReportFormat, color: Bool, strict: Bool, quiet: Bool) throws {
        let compilations = topologies.map { Compilation.run(path: $0, through: .rules) }
        // The process ends once lint has reported: freeing a fleet's plans and diagnostics
        // object by object at the end of this function is 2% of linting 1000 pairs.
        _ = Unmanaged.passRetained(KeptUntilExit(compilations))
        // A clean run says so: silence is indistinguishable from a hook that never ran.
        defer {
            if format == .text && !quiet {
                for compilation in compilations { printError(Outcome.summary(compilation)) }
            }
        }
        try Outcome.report(compilations, format: format, color: color, strict: strict, quiet: quiet)
    }

    /// The arguments a pre-commit hook passes, `lint [-q] FILE...`, read without ArgumentParser:
    /// its reflection over every command's options is half the instructions of linting a
    /// small topology (bench/lint-startup.sh). Anything else (another option, a file named
    /// like an option, no file) returns nil and goes through ArgumentParser as before.
    static func plainArguments(_ arguments: [String]) -> (topologies: [String], quiet: Bool)? {
        guard arguments.count >= 2, arguments[0] == "lint" else { return nil }
        var topologies: [String] = [], quiet = false
        for argument in arguments.dropFirst() {
            if argument == "-q" || argument == "--quiet" {
                quiet = true
                continue
            }
            guard !argument.hasPrefix("-"), !argument.isEmpty else { return nil }
            topologies.append(argument)
        }
        return topologies.isEmpty ? nil : (topologies, quiet)
    }
}

/// Holds what lint made until the process exits, so nothing is freed piece by piece.
private final class KeptUntilExit {
    let value: [Compilation]
    init(_ value: [Compilation]) { self.value = value }
}
