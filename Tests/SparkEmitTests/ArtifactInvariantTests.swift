import Foundation
import SparkEmit
import SparkGenKit
import SparkPlan
import SparkTestSupport
import Testing

/// Properties of the split-trust stack that must hold in every artifact, whatever the layout.
@Suite struct ArtifactInvariantTests {
    private let compilation = Compilation.run(path: Fixtures.splitTrustPath)
    private var artifacts: [Artifact] { compilation.artifacts ?? [] }

    private func artifact(_ suffix: String, node: String) throws -> Artifact {
        try #require(artifacts.first { $0.path.hasPrefix("nodes/\(node)/") && $0.path.hasSuffix(suffix) })
    }

    @Test func nothingListensOnAWildcardAddress() {
        #expect(!artifacts.isEmpty)
        for artifact in artifacts where !artifact.path.hasSuffix(".md") {
            #expect(!artifact.contents.contains("0.0.0.0"), "\(artifact.path) mentions 0.0.0.0")
            #expect(!artifact.contents.contains("--host ::"), "\(artifact.path) binds ::")
        }
    }

    @Test func everyLiteLLMCallsTheHeadOverTheDAC() throws {
        for node in ["spark-01", "spark-02"] {
            let config = try artifact("litellm-config.yaml", node: node)
            #expect(config.contents.contains("api_base: http://198.51.100.1:8000/v1"), "\(node)")
            #expect(!config.contents.contains("localhost"), "\(node)")
            #expect(config.contents.contains("master_key: os.environ/LITELLM_MASTER_KEY"))
            #expect(config.contents.contains("database_url: os.environ/DATABASE_URL"))
        }
        let head = try artifact("vllm-head-entrypoint.sh", node: "spark-01")
        #expect(head.contents.contains("--host 198.51.100.1 \\"))
        #expect(head.contents.contains("--dashboard-host=127.0.0.1"))
    }

    @Test func modelAndRayPortsAreNeverOpenOnTheTailnet() throws {
        for node in ["spark-01", "spark-02"] {
            let firewall = try artifact("scripts/firewall.sh", node: node)
            for line in firewall.contents.split(separator: "\n") where line.hasPrefix("ufw allow") {
                for port in ["8000", "6379", "8265", "5432"] {
                    #expect(!(line.contains("tailscale0") && line.contains("port \(port) ")), "\(node): \(line)")
                }
                // Every allow names an interface or a source: nothing is open on all interfaces from anywhere.
                #expect(line.contains(" on ") || line.contains(" from "), "\(node): \(line)")
            }
        }
        for artifact in artifacts where artifact.path.hasSuffix("policy.hujson") {
            let grants = artifact.contents.components(separatedBy: "\"tests\"")[0]
            for port in ["8000", "6379", "8265", "5432"] {
                #expect(!grants.contains("tcp:\(port)"), "\(artifact.path) grants \(port)")
            }
            #expect(artifact.contents.contains(":8000\""), "\(artifact.path) has no test denying 8000")
        }
    }

    @Test func noContainerPublishesAPort() {
        for artifact in artifacts where artifact.path.hasSuffix("compose.yaml") {
            let keys = artifact.contents.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.drop { $0 == " " } }
            #expect(!keys.contains { $0.hasPrefix("ports:") }, "\(artifact.path) publishes a port")
            #expect(artifact.contents.contains("network_mode: host"))
        }
    }

    @Test func eachNodeCarriesOnlyItsOwnOwnersSecretReferences() throws {
        let you = try artifact("litellm.service", node: "spark-01").contents
        let client = try artifact("litellm.service", node: "spark-02").contents
        #expect(you.contains("EnvironmentFile=/home/cameron/.sparky01-litellm-key"))
        #expect(!you.contains("sparky02"))
        #expect(client.contains("EnvironmentFile=/home/cameron/.sparky02-litellm-key"))
        #expect(!client.contains("sparky01"))
    }

    @Test func scriptsAreExecutableAndOthersAreNot() {
        for artifact in artifacts {
            let isScript = artifact.path.hasSuffix(".sh")
            #expect((artifact.mode == .executable) == isScript, "\(artifact.path)")
        }
    }

    @Test func workerStartsBeforeHeadInTheIndex() throws {
        let index = try #require(artifacts.first { $0.path == "README.md" })
        let worker = try #require(index.contents.range(of: "1. spark-02"))
        let head = try #require(index.contents.range(of: "2. spark-01"))
        #expect(worker.lowerBound < head.lowerBound)
    }
}
