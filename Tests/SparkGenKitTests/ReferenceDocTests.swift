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
}
