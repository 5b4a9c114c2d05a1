import ArgumentParser
import SparkDiagnostics
import SparkGenKit
import SparkPlan
import SparkRules

/// Prints the findings of one or more compilations and turns them into the documented exit code.
enum Outcome {
    /// The plan of a compilation, or, when the input cannot be planned, its findings printed and exit 2.
    static func plan(_ compilation: Compilation) throws -> Plan {
        guard let plan = compilation.plan else {
            try report([compilation], ReportOptions())
            throw ExitCode(2)
        }
        return plan
    }

    /// One line per file: `FILE: ok, 31 rules, 0 findings (1 accepted)` or its counts of problems.
    static func summary(_ compilation: Compilation) -> String {
        let diagnostics = compilation.diagnostics
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        let accepted = diagnostics.filter { $0.acceptedReason != nil }.count
        let acceptedText = accepted == 0 ? "" : " (\(accepted) accepted)"
        func count(_ number: Int, _ word: String) -> String { "\(number) \(word)\(number == 1 ? "" : "s")" }
        if errors == 0 && warnings == 0 {
            return "\(compilation.file): ok, \(count(RuleCatalog.rules.count, "rule")), 0 findings\(acceptedText)"
        }
        return "\(compilation.file): \(count(errors, "error")), \(count(warnings, "warning"))\(acceptedText)"
    }

    /// Throws exit 2 for unreadable or invalid input, exit 1 for rule findings (and warnings
    /// with --strict); returns when nothing fails. `quiet` leaves the notes of accepted findings
    /// out of the text report (machine formats keep them).
    static func report(_ compilations: [Compilation], _ options: ReportOptions, quiet: Bool = false) throws {
        try report(compilations, format: options.format, color: options.useColor, strict: options.strict, quiet: quiet)
    }

    static func report(_ compilations: [Compilation], format: ReportFormat, color: Bool, strict: Bool, quiet: Bool) throws {
        let diagnostics = compilations.flatMap(\.diagnostics)
        switch format {
        case .text:
            let reporter = TextReporter(color: color)
            for compilation in compilations {
                let shown = quiet ? compilation.diagnostics.filter { $0.acceptedReason == nil } : compilation.diagnostics
                guard !shown.isEmpty else { continue }
                printError(reporter.render(shown, sourceLines: compilation.sourceLines), terminator: "")
            }
        case .json:
            print(try JSONReporter().render(diagnostics), terminator: "")
        case .sarif:
            print(try SARIFReporter().render(diagnostics), terminator: "")
        case .github:
            print(GitHubReporter().render(diagnostics), terminator: "")
        }
        let errors = diagnostics.filter { $0.severity == .error }
        // Rule findings carry a rule id; an input error's id (YAML, schema, references) means the
        // input could not be read as a topology.
        if errors.contains(where: { $0.inputID != nil }) { throw ExitCode(2) }
        if !errors.isEmpty { throw ExitCode(1) }
        if strict && diagnostics.contains(where: { $0.severity == .warning }) { throw ExitCode(1) }
    }
}
