import Foundation
import SparkEmit
import SparkGenKit
import SparkPlan
import SparkTestSupport
import Testing

/// The bring-up order works on fresh machines: walking every pass of the README, node by node
/// and step by step, every file a step needs was made by an earlier step (on its node, or on
/// the node it copies from), and no step is left out or run twice.
@Suite struct BringUpOrderTests {
    private static func bringUp(_ text: String) throws -> BringUp {
        try ArtifactEmitter.bringUp(try plan(text))
    }

    private static func plan(_ text: String) throws -> Plan {
        try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml", through: .plan).plan)
    }

    /// The copies that run before ssh reaches both ends as the generated firewall and policy
    /// say (what SC008 checks): the holder and the source must each have run 'Firewall' and,
    /// on no LAN (ssh over the tailnet alone), 'Tailnet'. Before that a node is reached, if at
    /// all, by whatever address the operator happened to use, and a copy that reads the
    /// other node from the holder (homelab's first runbook) meets a policy not yet applied.
    private static func copiesBeforeTheRoute(_ bringUp: BringUp, _ plan: Plan) -> [String] {
        var done: [String: Set<String>] = [:]
        var problems: [String] = []
        func missing(_ node: String) -> [String] {
            let needs = ["Firewall"] + (plan.node(named: node)?.lan == nil ? ["Tailnet"] : [])
            return needs.filter { !(done[node] ?? []).contains($0) }
        }
        for turn in bringUp.passes.joined() {
            for step in turn.steps {
                for fetch in step.fetches {
                    for (node, lacks) in [(turn.node, missing(turn.node)), (fetch.node, missing(fetch.node))] where !lacks.isEmpty {
                        problems.append("\(turn.node) step \(step.number) '\(step.title)' copies \(fetch.path) from \(fetch.node) before \(node) ran \(lacks)")
                    }
                }
                done[turn.node, default: []].insert(step.title)
            }
        }
        return problems
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
        let plan = try Self.plan(try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml", encoding: .utf8))
        #expect(Self.copiesBeforeTheRoute(bringUp, plan).isEmpty, "\(Self.copiesBeforeTheRoute(bringUp, plan))")
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
        let skipped = BringUp(
            passes: bringUp.passes.map { pass in
                pass.map { BringUp.Turn(node: $0.node, steps: $0.steps.filter { $0.title != "Copy the generated files" }) }
            })
        #expect(Self.unmet(skipped).contains { $0.hasSuffix("'Firewall' needs /home/cameron/sparky-ai-stack/scripts/firewall.sh") })
    }

    @Test func theWalkCatchesACopyBeforeItsRoute() throws {
        // homelab's first runbook: ubuntu copied the Spark's key in its secrets step, before it
        // joined the tailnet and ran its firewall. The hand-over moved back before them is caught.
        let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/homelab/topology.yaml", encoding: .utf8)
        let plan = try Self.plan(text)
        let bringUp = try Self.bringUp(text)
        let early = BringUp(
            passes: bringUp.passes.map { pass in
                pass.map { turn in
                    var steps = turn.steps
                    if let handover = steps.firstIndex(where: { $0.title == "Secrets from other nodes" }),
                        let tailnet = steps.firstIndex(where: { $0.title == "Tailnet" })
                    {
                        steps.insert(steps.remove(at: handover), at: tailnet)
                    }
                    return BringUp.Turn(node: turn.node, steps: steps)
                }
            })
        #expect(
            Self.copiesBeforeTheRoute(early, plan).contains {
                $0.hasPrefix("ubuntu step ")
                    && $0.contains(
                        "'Secrets from other nodes' copies /home/me/.homelab-spark-vllm.env from spark before ubuntu ran [\"Firewall\", \"Tailnet\"]")
            }, "\(Self.copiesBeforeTheRoute(early, plan))")
    }
}
