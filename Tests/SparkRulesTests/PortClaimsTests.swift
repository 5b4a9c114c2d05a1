import SparkDiagnostics
import SparkGenKit
import SparkTestSupport
import Testing

/// CL008 shows both claims of a port: the one it reports and the one that was there first,
/// named by the service that holds it, so a port taken by a default the user never wrote is found.
@Suite struct PortClaimsTests {
    @Test func aClashPointsAtBothClaimsAndNamesTheHolder() throws {
        let text = Fixtures.splitTrust(replacing: "    port: 8000", with: "    port: 8080")
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        let finding = try #require(compilation.diagnostics.first { $0.code == "CL008" && $0.severity == .error })
        #expect(finding.message == "the API of model 'qwen3.5-122b' on node 'spark-01' claims port 8080, already used by app open-webui")
        #expect(finding.help?.hasPrefix("give the API of model 'qwen3.5-122b' or app open-webui another port") == true, "\(finding.help ?? "")")
        let note = try #require(compilation.diagnostics.first { $0.code == "CL008" && $0.severity == .note }, "no note at the first claim")
        #expect(note.message == "app open-webui on node 'spark-01' claims port 8080 here")
        let first = try #require(note.location), second = try #require(finding.location)
        #expect(first != second)
        // The note points into the node's apps, where open-webui is listed.
        let line = text.split(separator: "\n", omittingEmptySubsequences: false)[first.line - 1]
        #expect(line.contains("open-webui"), "\(line)")
    }
}
