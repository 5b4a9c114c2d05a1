import Foundation
import SparkEmit
import SparkGenKit
import SparkTestSupport
import Testing

/// The bring-up order works on fresh machines: walking every pass of the README, node by node
/// and step by step, every file a step needs was made by an earlier step (on its node, or on
/// the node it copies from), and no step is left out or run twice.
@Suite struct BringUpOrderTests {
    private static func bringUp(_ text: String) throws -> BringUp {
        let plan = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml", emitting: false).plan)
        return try ArtifactEmitter.bringUp(plan)
    }

    /// The reads that nothing before them made, as "node step 'title' needs path".
    private static func unmet(_ bringUp: BringUp) -> [String] {
        var made: [String: Set<String>] = [:]
        var problems: [String] = []
        for pass in bringUp.passes {
            for turn in pass {
                for step in turn.steps {
                    for path in step.reads where !(made[turn.node] ?? []).contains(path) {
                        problems.append("\(turn.node) step \(step.number) '\(step.title)' needs \(path)")
                    }
                    for fetch in step.fetches where !(made[fetch.node] ?? []).contains(fetch.path) {
                        problems.append("\(turn.node) step \(step.number) '\(step.title)' copies \(fetch.path) from \(fetch.node) before it exists")
                    }
                    made[turn.node, default: []].formUnion(step.creates)
                }
            }
        }
        return problems
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func everyStepFindsWhatItNeeds(_ name: String) throws {
        let bringUp = try Self.bringUp(try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml", encoding: .utf8))
        #expect(Self.unmet(bringUp).isEmpty, "\(Self.unmet(bringUp))")
        // Every step of every node runs exactly once.
        var runs: [String: [Int]] = [:]
        for turn in bringUp.passes.joined() { runs[turn.node, default: []] += turn.steps.map(\.number) }
        for (node, numbers) in runs {
            #expect(numbers.sorted() == Array(1...numbers.count), "\(node): steps \(numbers.sorted())")
        }
    }

    @Test func theWalkCatchesAStepBeforeWhatItNeeds() throws {
        // Workers first in the first pass: a worker would copy the Ray token before its head made it.
        let bringUp = try Self.bringUp(Fixtures.splitTrust)
        let reordered = BringUp(passes: [bringUp.passes[0].reversed()] + bringUp.passes.dropFirst())
        #expect(Self.unmet(reordered).contains { $0.contains("copies /home/cameron/.ray-cluster-token.env from spark-01 before it exists") })
        // Without the copy step, the firewall script is not there to run.
        let skipped = BringUp(passes: bringUp.passes.map { pass in
            pass.map { BringUp.Turn(node: $0.node, steps: $0.steps.filter { $0.title != "Copy the generated files" }) }
        })
        #expect(Self.unmet(skipped).contains { $0.hasSuffix("'Firewall' needs /home/cameron/sparky-ai-stack/scripts/firewall.sh") })
    }
}
