import ArgumentParser
import SparkEmit
import SparkGenKit

/// `spark-gen why`: the topology lines a generated file or line came from.
struct Why: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Show the topology lines that produced a generated file, or one line of it.",
        discussion: """
            FILE is a path in the output tree (nodes/spark-01/home/me/stack/litellm-config.yaml), with or \
            without the tree's directory in front, or a node's absolute path with --node; add :LINE for one \
            line. Prints one line per origin, 'topology.yaml:LINE:COL: <spec path> — <the line>', the most \
            specific first. Exits 2 when the topology does not build or names no such file or line.
            """)

    @Argument(help: "The topology file.")
    var topology: String

    @Argument(help: "The generated file, optionally with :LINE.")
    var file: String

    @Option(help: "The node, when FILE is an absolute path on it.")
    var node: String?

    @Option(help: "text or json.")
    var format: WhyFormat = .text

    enum WhyFormat: String, CaseIterable, ExpressibleByArgument {
        case text, json
    }

    func run() throws {
        // Origins are recorded only here and in review: a build never pays for them.
        let compilation = OriginRecording.$isOn.withValue(true) { Compilation.run(path: topology) }
        guard compilation.artifacts != nil else {
            // The findings first, as lint prints them; then exit 2 whatever they are.
            try? Outcome.report([compilation], format: .text, color: ReportOptions.colorByDefault, strict: false, quiet: true)
            printError("error: \(topology) does not build, so it has no generated files to explain")
            throw ExitCode(2)
        }
        do {
            let query = try WhyQuery(compilation, file: file, node: node)
            print(format == .json ? try query.json() : query.text(), terminator: format == .json ? "\n" : "")
        } catch let failure as WhyQuery.Failure {
            printError(failure.description)
            throw ExitCode(2)
        }
    }
}
