import ArgumentParser
import SparkDiagnostics
import SparkGenKit

/// Prints a compilation's findings and turns them into the documented exit code.
enum Outcome {
    /// Throws exit 2 for invalid input, exit 1 for rule findings; returns when there is no error.
    static func report(_ compilation: Compilation) throws {
        if !compilation.diagnostics.isEmpty {
            printError(TextReporter().render(compilation.diagnostics, sourceLines: compilation.sourceLines), terminator: "")
        }
        let errors = compilation.diagnostics.filter { $0.severity == .error }
        guard !errors.isEmpty else { return }
        // Rule findings carry a rule id; errors without one mean the input could not be read as a topology.
        throw ExitCode(errors.contains { $0.code == nil } ? 2 : 1)
    }
}
