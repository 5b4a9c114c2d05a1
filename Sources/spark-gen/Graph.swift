import ArgumentParser
import SparkEmit
import SparkGenKit

/// `spark-gen graph`: the stack as a picture.
struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the nodes by owner, the tailnets, the clusters and every allowed flow to a listener.")

    @Argument(help: "The topology file.")
    var topology: String

    @Option(help: "mermaid (rendered by GitHub and GitLab) or dot (Graphviz).")
    var format: GraphFormat = .mermaid

    enum GraphFormat: String, CaseIterable, ExpressibleByArgument {
        case mermaid, dot
    }

    func run() throws {
        let compilation = Compilation.run(path: topology, through: .plan)
        let plan = try Outcome.plan(compilation)
        print(TopologyGraph(plan: plan).render(format == .dot ? .dot : .mermaid), terminator: "")
        if compilation.hasErrors { throw ExitCode(1) }
    }
}
