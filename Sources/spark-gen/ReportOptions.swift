import ArgumentParser
import SparkGenKit

#if canImport(Glibc)
    import Glibc
#endif

extension ReportFormat: ExpressibleByArgument {}

/// When to colour text output.
enum ColorChoice: String, CaseIterable, ExpressibleByArgument {
    case auto, always, never
}

/// How findings are reported and which of them fail the command.
struct ReportOptions: ParsableArguments {
    @Option(help: "How to print findings: text, json, sarif or github.")
    var format: ReportFormat = .text

    @Option(help: "Colour text output: auto (on a terminal), always or never.")
    var color: ColorChoice = .auto

    @Flag(help: "Fail on warnings too.")
    var strict = false

    var useColor: Bool {
        switch color {
        case .always: return true
        case .never: return false
        case .auto: return Self.colorByDefault
        }
    }

    /// `--color auto`: colour on a terminal that is not dumb, unless NO_COLOR is set.
    static var colorByDefault: Bool {
        let terminal = getenv("TERM").map { String(cString: $0) } ?? "dumb"
        return isatty(2) == 1 && getenv("NO_COLOR") == nil && terminal != "dumb"
    }
}
