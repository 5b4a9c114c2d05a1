import Foundation
import SparkEmit
import SparkGenKit
import SparkTestSupport
import Testing

/// `spark-gen graph` and the picture in the output's README: DOT is read by Graphviz itself;
/// Mermaid (whose CLI needs npm, which this workplace cannot reach) is checked line by line
/// against the flowchart forms it uses.
@Suite struct TopologyGraphTests {
    private static func graph(_ example: String, _ format: TopologyGraph.Format) throws -> String {
        let plan = try #require(Compilation.run(path: Fixtures.repositoryRoot + "/examples/\(example)/topology.yaml").plan)
        return TopologyGraph(plan: plan).render(format)
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func graphvizReadsTheDOT(_ example: String) throws {
        let result = CommandRunner.tool("dot", ["-Tsvg"], input: try Self.graph(example, .dot))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("<svg"))
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func mermaidUsesOnlyWellFormedFlowchartLines(_ example: String) throws {
        let text = try Self.graph(example, .mermaid)
        let forms = [
            #"^flowchart LR$"#,
            #"^  subgraph [A-Za-z0-9_]+\["[^"]*"\]$"#,
            #"^    [A-Za-z0-9_]+\["[^"]*"\]$"#,
            #"^  end$"#,
            #"^  [A-Za-z0-9_]+\(\["[^"]*"\]\)$"#,
            // A host spark-gen does not deploy to: a parallelogram.
            #"^  [A-Za-z0-9_]+\[/"[^"]*"/\]$"#,
            #"^  [A-Za-z0-9_]+ (==>|-->)\|"[^"]*"\| [A-Za-z0-9_]+$"#,
        ].map { try! Regex($0) }
        let lines = text.split(separator: "\n")
        for line in lines {
            #expect(forms.contains { (try? $0.wholeMatch(in: line)) != nil }, "not a flowchart line: \(line)")
        }
        // Every edge joins ids that are declared.
        let declared = Set(lines.compactMap { $0.firstMatch(of: #/^ +([A-Za-z0-9_]+)[\[(]/#).map { String($0.1) } })
        for edge in lines.compactMap({ $0.firstMatch(of: #/^  ([A-Za-z0-9_]+) (?:==>|-->)\|"[^"]*"\| ([A-Za-z0-9_]+)$/#) }) {
            #expect(declared.contains(String(edge.1)) && declared.contains(String(edge.2)), "\(edge.0)")
        }
    }

    @Test func thePictureShowsWhoReachesWhat() throws {
        let text = try Self.graph("three-node-lab", .mermaid)
        #expect(text.contains("  subgraph owner_bob[\"owner bob\"]\n    node_gpu_c["))
        #expect(text.contains("  node_gpu_a ==>|\"Ray + NCCL, both ways: qwen3.5-122b\"| node_gpu_b\n"))
        #expect(text.contains("  tailnet_bob_net -->|\"8001 litellm, 8080 open-webui\"| node_gpu_c\n"))
        // No flow between the owners' nodes: neither routes the other's model.
        #expect(!text.contains("node_gpu_c -->"))
        #expect(!text.contains("-->|\"8000"))
        let readme = try #require(
            Compilation.run(path: Fixtures.repositoryRoot + "/examples/three-node-lab/topology.yaml").artifacts?.first { $0.path == "README.md" })
        #expect(readme.contents.contains("```mermaid\n" + text + "```\n"))
    }
}
