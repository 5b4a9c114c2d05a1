import ArgumentParser
import SparkGenKit

/// `spark-gen init`: a commented starter topology to edit.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter topology, with every value to change marked.",
        discussion: StarterTopology.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n"))

    @Argument(help: "The shape to start from: \(StarterTopology.allCases.map(\.rawValue).joined(separator: ", ")).")
    var shape: Shape = .pair

    @Option(name: .shortAndLong, help: "Where to write it ('-' for standard output).")
    var output = "topology.yaml"

    @Flag(help: "Replace the file if it exists.")
    var force = false

    struct Shape: ExpressibleByArgument {
        let starter: StarterTopology
        static let pair = Shape(starter: .pair)

        init(starter: StarterTopology) { self.starter = starter }

        init?(argument: String) {
            guard let starter = StarterTopology(rawValue: argument) else { return nil }
            self.starter = starter
        }

        static var allValueStrings: [String] { StarterTopology.allCases.map(\.rawValue) }
        var defaultValueDescription: String { starter.rawValue }
    }

    func run() throws {
        let text = shape.starter.text
        if output == "-" {
            print(text, terminator: "")
            return
        }
        do {
            try shape.starter.write(to: output, replacing: force)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        printError("wrote \(output) (\(shape.starter.rawValue)): change the values marked '# CHANGE', then run 'spark-gen lint \(output)'")
    }
}
