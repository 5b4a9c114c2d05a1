import Foundation
import SparkEmit
import SparkGenKit
import SparkPlan
import SparkTestSupport
import Testing

/// What `trust`, `graph` and `review` say of shared-gateway's offer: the housemate's gateway
/// calls gpt-oss-120b through the owner's LiteLLM with the key, and never the Spark's vLLM.
@Suite struct OfferReportTests {
    private static func plan() throws -> Plan {
        try #require(Compilation.run(path: Fixtures.repositoryRoot + "/examples/shared-gateway/topology.yaml").plan)
    }

    @Test func trustShowsThePathTheKeyAndTheRefusedModelPort() throws {
        let text = TrustReport(plan: try Self.plan()).render()
        #expect(text.contains("What one owner offers another through its gateway\n"))
        #expect(
            text.contains(
                "  - me → housemate: box3090's LiteLLM calls `gpt-oss-120b` through the LiteLLM on workstation (http://192.168.1.10:4000/v1) over LAN home, "
                    + "with key offer-housemate@workstation, which LiteLLM refuses for any other model; box3090 reaches litellm (4000) on workstation; "
                    + "the model's own port: vLLM of gpt-oss-120b on spark (8000): refused\n"), "\(text)")
        #expect(
            text.contains(
                "    - me: runs the LiteLLM on workstation, which gpt-oss-120b is offered through: its logs hold every request housemate sends there\n"))
    }

    @Test func theGraphLabelsTheFlowWithWhatIsOffered() throws {
        let graph = TopologyGraph(plan: try Self.plan()).render(.mermaid)
        #expect(graph.contains("  node_box3090 -->|\"22 ssh, 4000 litellm offers gpt-oss-120b\"| node_workstation\n"), "\(graph)")
        #expect(!graph.contains("node_box3090 -->|\"22 ssh, 8000"), "no flow from the housemate to the model's port")
    }

    @Test func reviewCountsAnOfferAsANewReaderOfTheOtherOwnersPrompts() throws {
        let source = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/shared-gateway/topology.yaml", encoding: .utf8)
        let start = try #require(source.range(of: "    offers:\n"))
        let end = try #require(source.range(of: "  housemate:\n"))
        let base = String(source[..<start.lowerBound]) + String(source[end.lowerBound...])
        let basePlan = try #require(Compilation.run(bytes: Array(base.utf8), file: "topology.yaml", through: .plan).plan)
        let head = try Self.plan()
        let review = AccessReview(base: basePlan, head: head, baseDiagnostics: [], headDiagnostics: [], baseArtifacts: nil, headArtifacts: nil)
        #expect(review.widensAccess)
        #expect(
            review.readersGained.contains {
                $0.hasPrefix("me can read the prompts of housemate sent to gpt-oss-120b (offered through the LiteLLM on workstation")
            },
            "\(review.readersGained)")
        #expect(review.reachGained.contains { $0.node == "workstation" && $0.port == 4000 && $0.otherOwners == ["housemate"] })
        #expect(!review.reachGained.contains { $0.node == "spark" && $0.port == 8000 })
    }
}
