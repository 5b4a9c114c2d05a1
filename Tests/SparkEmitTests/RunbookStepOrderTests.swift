import Foundation
import SparkGenKit
import SparkPlan
import SparkTestSupport
import Testing

@testable import SparkEmit

/// A runbook's steps come in the order of their kinds (`RunbookEmitter.stepOrder`), whatever
/// order their owners write them in, numbered from one.
@Suite struct RunbookStepOrderTests {
    @Test func theWriterOrdersStepsByKindAndNumbersThemAgain() {
        var book = RunbookWriter()
        book.introduction = "intro\n"
        book.heading("Verify", kind: .verify)
        book.note("v")
        book.heading("Copy", kind: .copy)
        book.note("c")
        book.heading("Model a", kind: .model)
        book.heading("Copy again", kind: .copy)
        book.order(by: [.copy, .model, .verify])
        #expect(book.steps.map(\.title) == ["Copy", "Copy again", "Model a", "Verify"])
        #expect(book.steps.map(\.number) == [1, 2, 3, 4])
        #expect(book.markdown == "intro\n\n## 1. Copy\n\nc\n\n## 2. Copy again\n\n\n## 3. Model a\n\n\n## 4. Verify\n\nv\n")
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func everyRunbookFollowsTheOrderOfKinds(_ name: String) throws {
        let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml", encoding: .utf8)
        let plan = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml", through: .plan).plan)
        let bringUp = try ArtifactEmitter.bringUp(plan)
        var steps: [String: [RunbookStep]] = [:]
        for turn in bringUp.passes.joined() { steps[turn.node, default: []] += turn.steps }
        for node in plan.nodes {
            let order = RunbookEmitter.stepOrder(node)
            let written = (steps[node.name] ?? []).sorted { $0.number < $1.number }
            let ranks = written.map { order.firstIndex(of: $0.kind) ?? -1 }
            #expect(!ranks.contains(-1) && ranks == ranks.sorted(), "\(name)/\(node.name): \(written.map { "\($0.number) \($0.kind)" })")
            // On a LAN the tailnet comes after the apps; on none, before the firewall.
            if let tailnet = written.firstIndex(where: { $0.kind == .tailnet }), let firewall = written.firstIndex(where: { $0.kind == .firewall }) {
                #expect((tailnet < firewall) == (node.lan == nil), "\(name)/\(node.name): tailnet \(tailnet), firewall \(firewall)")
            }
        }
    }
}
