import SparkGenKit
import SparkTestSupport
import Testing

/// One run reports a reference error and the rule findings of the rest of the topology, so a
/// user does not fix one and meet the next on the following attempt.
@Suite struct EveryFindingTests {
    static func compile(_ text: String) -> Compilation {
        Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
    }

    @Test func anUnknownNodeAndASharedMasterKeyAreBothReported() {
        var text = Fixtures.splitTrust(
            replacing: "master_key: {file: ~/.sparky02-litellm-key}", with: "master_key: {file: ~/.sparky01-litellm-key}")
        text = text.replacingOccurrences(of: "workers: [spark-02]", with: "workers: [spark-03]")
        let compilation = Self.compile(text)
        let errors = compilation.diagnostics.filter { $0.severity == .error }
        #expect(errors.contains { $0.message == "unknown node 'spark-03'" })
        #expect(errors.contains { $0.code == "SC001" }, "\(errors.map(\.oneLine))")
        #expect(compilation.artifacts == nil && compilation.plan == nil, "nothing is built")
        // What follows only from leaving the model out is not reported: its routes, its accepted risk.
        #expect(!compilation.diagnostics.contains { $0.severity == .warning }, "\(compilation.diagnostics.map(\.oneLine))")
    }

    @Test func anUnknownOwnerLeavesItsNodeOutAndTheRestIsChecked() {
        var text = Fixtures.splitTrust(
            replacing: "master_key: {file: ~/.sparky02-litellm-key}", with: "master_key: {file: ~/.sparky01-litellm-key}")
        text = text.replacingOccurrences(of: "    owner: client\n", with: "    owner: cliant\n")
        let errors = Self.compile(text).diagnostics.filter { $0.severity == .error }
        #expect(errors.contains { $0.message == "unknown owner 'cliant'" })
        #expect(errors.contains { $0.code == "SC001" }, "\(errors.map(\.oneLine))")
        // The model that runs on the node left out is not reported as naming an unknown node.
        #expect(!errors.contains { $0.message.contains("'spark-02'") }, "\(errors.map(\.oneLine))")
    }

    @Test func aTopologyThatResolvesReportsWhatItDidBefore() {
        let compilation = Self.compile(Fixtures.splitTrust)
        #expect(!compilation.hasErrors)
        #expect(compilation.artifacts != nil)
    }
}
