import ArgumentParser
import SparkGenKit
import SparkPlan

/// `spark-gen build`: compile and write the artifact tree atomically.
struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Compile a topology and write its artifact tree.",
        discussion: "The tree is written to a temporary sibling directory and swapped into place; a failed build writes nothing.")

    @Argument(help: "The topology file.")
    var topology: String

    @Option(name: [.short, .customLong("output")], help: "Output directory (default: out/<example name>).")
    var output: String?

    @OptionGroup var report: ReportOptions

    func run() throws {
        // The rules first, the files after: each file is written into the staging tree as it is
        // made, so a fleet's tree is never held in memory whole.
        // Only the plan outlives the report: the source's bytes and the findings (thousands on
        // a fleet) are freed before the files are made.
        let plan = try Self.checkedPlan(topology, report)
        let directory = output ?? OutputLocation.defaultDirectory(for: topology)
        let count: Int
        do {
            count = try OutputWriter().write(plan, to: directory)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let summary = "wrote \(count) files to \(directory)"
        // Machine-readable formats own standard output.
        if report.format == .text { print(summary) } else { printError(summary) }
    }

    /// The topology's plan, after its findings are reported; exit code 2 when it has errors.
    private static func checkedPlan(_ topology: String, _ report: ReportOptions) throws -> Plan {
        let compilation = Compilation.run(path: topology, through: .plan)
        try Outcome.report([compilation], report)
        guard let plan = compilation.plan, !compilation.hasErrors else { throw ExitCode(2) }
        return plan
    }
}
