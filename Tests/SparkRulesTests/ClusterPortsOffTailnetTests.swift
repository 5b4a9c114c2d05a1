import SparkGenKit
import SparkRules
import SparkTestSupport
import Testing

/// ST002 names what a shared port is on the shared node: two owners' models may both listen on
/// 8000, and the finding about a share of one node must not name the other node's model.
@Suite struct ClusterPortsOffTailnetTests {
    @Test func aSharedPortIsNamedByTheSharedNodesModel() throws {
        let example = RuleExample(
            .twoOwners,
            [
                (
                    "    users: [client@example.com]\n    ssh: true\n",
                    "    users: [client@example.com]\n    ssh: true\n    share: [{with: you-net, nodes: [spark-02], ports: [8000]}]\n"
                ),
                ("    user: client\n", "    user: client\n    tailnet_ip: 100.64.0.22\n"),
            ])
        let (text, _) = try Fixtures.materialize(example)
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        let finding = try #require(compilation.diagnostics.first { $0.code == "ST002" }, "\(compilation.diagnostics.map(\.oneLine))")
        #expect(finding.message == "tailnet 'client-net' shares port 8000, the vLLM API of model 'qwen3-4b', with tailnet 'you-net'")
    }
}
