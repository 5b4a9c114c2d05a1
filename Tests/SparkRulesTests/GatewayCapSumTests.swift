import Foundation
import SparkDiagnostics
import SparkGenKit
import SparkTestSupport
import Testing

/// CL022 adds up the caps of every gateway that routes to one server (issue 24, item 4): each
/// LiteLLM counts only its own requests in flight.
@Suite struct GatewayCapSumTests {
    private static func findings(_ text: String) -> (errors: [Diagnostic], notes: [Diagnostic], text: String) {
        let diagnostics = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").diagnostics.filter { $0.code == "CL022" }
        return (diagnostics.filter { $0.severity == .error }, diagnostics.filter { $0.severity == .note }, text)
    }

    private static func line(_ text: String, _ diagnostic: Diagnostic) -> String {
        guard let location = diagnostic.location else { return "" }
        return String(text.split(separator: "\n", omittingEmptySubsequences: false)[location.line - 1])
    }

    /// Both owners of the shared cluster route it, each at the server's 32 slots: 64 in flight.
    @Test func twoGatewaysAtTheSlotsEachAreTwiceTheSlots() throws {
        let text = Fixtures.splitTrust(replacing: "    max_tokens: 8192\n", with: "    max_tokens: 8192\n    max_parallel_requests: 32\n")
        let (errors, notes, _) = Self.findings(text)
        #expect(errors.count == 2, "\(errors.map(\.oneLine))")
        let first = try #require(errors.first)
        #expect(
            first.message.contains(
                "the LiteLLM on 'spark-01' routes model 'qwen3.5-122b' capped at 32 (max_parallel_requests), and so does the LiteLLM on 'spark-02'"))
        #expect(first.message.contains("64 requests in flight in all, but its server runs 32 at once (vllm.max_num_seqs)"))
        #expect(first.help?.hasPrefix("write max_parallel_requests: 16") == true, "\(first.help ?? "")")
        // Each finding at a gateway's own route (its litellm app), one note at the cap.
        #expect(Set(errors.map { Self.line(text, $0) }).count == 2)
        #expect(errors.allSatisfy { Self.line(text, $0).contains("apps: [litellm") })
        #expect(notes.count == 1)
        #expect(notes.first.map { Self.line(text, $0) }?.contains("max_parallel_requests: 32") == true)
    }

    @Test func capsThatShareTheSlotsPass() {
        let text = Fixtures.splitTrust(replacing: "    max_tokens: 8192\n", with: "    max_tokens: 8192\n    max_parallel_requests: 16\n")
        #expect(Self.findings(text).errors.isEmpty)
    }

    /// An owner that routes the model by listing it: the finding points at that entry.
    @Test func aListedModelIsReportedWhereTheOwnerListsIt() throws {
        let text = Fixtures.splitTrust(replacing: "    max_tokens: 8192\n", with: "    max_tokens: 8192\n    max_parallel_requests: 20\n")
            .replacingOccurrences(
                of: "    db_password: {file: ~/.sparky02-litellm-db.env}\n",
                with: "    db_password: {file: ~/.sparky02-litellm-db.env}\n    models: [qwen3.5-122b]\n")
        let (errors, _, _) = Self.findings(text)
        let listed = try #require(errors.first { Self.line(text, $0).contains("models: [qwen3.5-122b]") }, "\(errors.map(\.oneLine))")
        #expect(listed.message.contains("the LiteLLM on 'spark-02' routes") && listed.message.contains("'spark-01'"))
    }

    /// A backend is routed by every gateway of its tailnet, and one with fallbacks gets its slots
    /// as the cap at each: a second gateway doubles what reaches LM Studio.
    @Test func aDerivedCapCountsAtEveryGatewayToo() throws {
        let path = Fixtures.repositoryRoot + "/examples/homelab/topology.yaml"
        let homelab = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
        let old = "    tailnet_ip: 100.100.10.20\n"
        try #require(homelab.contains(old))
        let text = homelab.replacingOccurrences(of: old, with: old + "    apps: [{litellm: {runner: compose, port: 4000}}]\n")
        let (errors, _, _) = Self.findings(text)
        let backend = try #require(errors.first { $0.message.contains("backend 'gemma-4-31b'") }, "\(errors.map(\.oneLine))")
        #expect(backend.message.contains("capped at 3 (spark-gen's default for a backend with fallbacks: its slots)"))
        #expect(backend.message.contains("6 requests in flight in all, but its server runs 3 at once (slots)"))
        #expect(backend.help?.hasPrefix("write max_parallel_requests: 1 on backend 'gemma-4-31b'") == true, "\(backend.help ?? "")")
    }
}
