import Foundation
import SparkTestSupport
import Testing

/// docs/topology-reference.md is generated from the schema and kept in sync, and every default
/// the schema states is the one spark-gen applies (checked against the committed outputs'
/// "Defaults" tables, which the decoder writes).
@Suite struct ReferenceDocTests {
    @Test func referenceIsCurrentAndDefaultsAgree() {
        let result = CommandRunner.tool("python3", [Fixtures.repositoryRoot + "/scripts/reference.py", "--check"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Where a link's kind is written, the reference says what each kind carries and that a
    /// direct link or fabric defaults to MTU 9000 (not only in the Defaults table).
    @Test func aLinksKindSaysWhatItCarriesAndItsMTU() throws {
        let reference = try String(contentsOfFile: Fixtures.repositoryRoot + "/docs/topology-reference.md", encoding: .utf8)
        let row = try #require(reference.split(separator: "\n").first { $0.hasPrefix("| `links.<name>.kind` |") })
        #expect(row.contains("default to mtu 9000"), "\(row)")
        #expect(row.contains("lan: ssh, a one-node model that nodes on the LAN call"), "\(row)")
    }
}
