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
        #expect(head.contents.contains("--include-dashboard=false"))
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

    @Test func scriptsAreExecutableAndFilesNamingSecretsArePrivate() {
        for artifact in artifacts {
            // Runbooks mention these in prose; they document, they configure nothing.
            let namesSecrets = !artifact.path.hasSuffix(".md")
                && (artifact.contents.contains("EnvironmentFile=") || artifact.contents.contains("env_file:") || artifact.contents.contains("os.environ/"))
            let expected: Artifact.Mode = artifact.path.hasSuffix(".sh") ? .executable : namesSecrets ? .privateFile : .regular
            #expect(artifact.mode == expected, "\(artifact.path)")
        }
    }

    @Test func workerStartsBeforeHeadInTheIndex() throws {
        let index = try #require(artifacts.first { $0.path == "README.md" })
        #expect(index.contents.contains("1. Up to and including 'Firewall', node by node: spark-01, spark-02."))
        #expect(index.contents.contains("2. The model steps: spark-02, spark-01."))
    }
}

/// With a Ray token, both containers run with token authentication from the same file path,
/// the head's runbook makes the token and the worker's copies it from the head.
@Suite struct RayTokenArtifactTests {
    @Test func tokenReachesEveryMemberAndTheRunbooks() throws {
        let text = Fixtures.splitTrust
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        #expect(!compilation.diagnostics.contains { $0.code == "CL010" })
        let artifacts = try #require(compilation.artifacts)
        func file(_ suffix: String) throws -> String { try #require(artifacts.first { $0.path.hasSuffix(suffix) }).contents }
        for script in ["scripts/vllm-head.sh", "scripts/vllm-worker.sh"] {
            let contents = try file(script)
            #expect(contents.contains("  -e RAY_AUTH_MODE=token \\\n  --env-file /home/cameron/.ray-cluster-token.env \\\n"), "\(script)")
        }
        #expect(try file("Dockerfile.vllm-spark").contains("RUN pip install --no-cache-dir ray==2.54.1"))
        let headRunbook = try #require(artifacts.first { $0.path.hasPrefix("nodes/spark-01/") && $0.path.hasSuffix("RUNBOOK.md") }).contents
        let workerRunbook = try #require(artifacts.first { $0.path.hasPrefix("nodes/spark-02/") && $0.path.hasSuffix("RUNBOOK.md") }).contents
        #expect(headRunbook.contains("printf 'RAY_AUTH_TOKEN=%s\\n' \"$(openssl rand -hex 32)\""))
        #expect(workerRunbook.contains("scp cameron@192.0.2.21:/home/cameron/.ray-cluster-token.env /home/cameron/.ray-cluster-token.env"))
        #expect(try file("nodes/spark-02/home/cameron/sparky-ai-stack/scripts/verify.sh").contains("private_file_defines /home/cameron/.ray-cluster-token.env RAY_AUTH_TOKEN"))
    }
}

/// Ray as every member installs it, and NCCL over the DAC's RDMA device.
@Suite struct RayAndRDMAArtifactTests {
    private static func artifacts(_ example: String) throws -> [Artifact] {
        try #require(Compilation.run(path: Fixtures.repositoryRoot + "/examples/\(example)/topology.yaml").artifacts)
    }

    private static func file(_ artifacts: [Artifact], _ path: String) throws -> String {
        try #require(artifacts.first { $0.path == path }, "no \(path)").contents
    }

    @Test func headStartsNoDashboardAndPinsRay() throws {
        let artifacts = try Self.artifacts("split-trust")
        let stack = "nodes/spark-01/home/cameron/sparky-ai-stack/"
        let entrypoint = try Self.file(artifacts, stack + "scripts/vllm-head-entrypoint.sh")
        #expect(entrypoint.contains("--include-dashboard=false"))
        #expect(!entrypoint.contains("--dashboard-host"))
        // An unpinned 'pip install ray' lets two nodes build different Rays, which refuse to form a cluster.
        #expect(try Self.file(artifacts, stack + "Dockerfile.vllm-spark").contains("RUN pip install --no-cache-dir ray==\(ClusterPlan.defaultRayVersion)\n"))
        let verify = try Self.file(artifacts, stack + "scripts/verify.sh")
        #expect(verify.contains("refuse 'nothing listens on 8265 (no Ray dashboard or job API)' listens_on 8265"))
        #expect(verify.contains("listens_on 6379\n"), "GCS binds every address in every Ray release; verify must not claim otherwise")
    }

    @Test func clusterContainersGetTheRDMADevice() throws {
        let artifacts = try Self.artifacts("split-trust")
        for (node, script) in [("spark-01", "vllm-head.sh"), ("spark-02", "vllm-worker.sh")] {
            let launcher = try Self.file(artifacts, "nodes/\(node)/home/cameron/sparky-ai-stack/scripts/\(script)")
            for option in ["--device /dev/infiniband", "--cap-add IPC_LOCK", "-e NCCL_IB_HCA=rocep1s0f0"] {
                #expect(launcher.contains("  \(option) \\\n"), "\(node) lacks \(option)")
            }
        }
    }

    @Test func aSingleNodeModelRunsTheUpstreamImageWithoutRay() throws {
        let artifacts = try Self.artifacts("three-node-lab")
        let stack = "nodes/gpu-c/home/bob/gpu-lab/"
        #expect(!artifacts.contains { $0.path == stack + "Dockerfile.vllm-spark" })
        let launcher = try Self.file(artifacts, stack + "scripts/vllm-head.sh")
        #expect(launcher.contains("image=nvcr.io/nvidia/vllm:26.04-py3\n"))
        #expect(!launcher.contains("/dev/infiniband"))
        #expect(!(try Self.file(artifacts, stack + "RUNBOOK.md")).contains("docker build"))
    }
}
