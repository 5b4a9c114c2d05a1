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
            let namesSecrets =
                !artifact.path.hasSuffix(".md")
                && (artifact.contents.contains("EnvironmentFile=") || artifact.contents.contains("env_file:") || artifact.contents.contains("os.environ/"))
            // netplan warns about a configuration file others can read.
            let netplan = artifact.path.contains("/etc/netplan/")
            let expected: Artifact.Mode = artifact.path.hasSuffix(".sh") ? .executable : namesSecrets || netplan ? .privateFile : .regular
            #expect(artifact.mode == expected, "\(artifact.path)")
        }
    }

    @Test func workerStartsBeforeHeadInTheIndex() throws {
        let index = try #require(artifacts.first { $0.path == "README.md" })
        #expect(
            index.contents.contains("1. Up to and including 'Firewall' and, where a node has it, 'Secrets from other nodes', node by node: spark-01, spark-02.")
        )
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
        // Handed over from the operator's machine: the worker gets no login on the head owner's account.
        #expect(
            workerRunbook.contains(
                "  ssh cameron@192.0.2.21 cat /home/cameron/.ray-cluster-token.env | ssh cameron@192.0.2.22 dd status=none of=\"$tmp\"\n"))
        #expect(!workerRunbook.contains("scp "))
        let readme = try file("README.md")
        #expect(
            readme.contains(
                "| spark-02 | client | `/home/cameron/.ray-cluster-token.env` | RAY_AUTH_TOKEN | made on spark-01; **you hands it to client** through the operator's machine |"
            ))
        #expect(readme.contains("- spark-02 (owner client) holds the Ray token of qwen3.5-122b, which spark-01 (owner you) made"))
        #expect(
            try file("nodes/spark-02/home/cameron/sparky-ai-stack/scripts/verify.sh").contains(
                "private_file_defines /home/cameron/.ray-cluster-token.env RAY_AUTH_TOKEN"))
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
            // Both halves of the Spark's QSFP port, or NCCL runs at half the link's width.
            for option in ["--device /dev/infiniband", "--cap-add IPC_LOCK", "-e NCCL_IB_HCA=rocep1s0f0,roceP2p1s0f0"] {
                #expect(launcher.contains("  \(option) \\\n"), "\(node) lacks \(option)")
            }
            let verify = try Self.file(artifacts, "nodes/\(node)/home/cameron/sparky-ai-stack/scripts/verify.sh")
            for device in ["rocep1s0f0", "roceP2p1s0f0"] {
                #expect(verify.contains("grep -q ACTIVE /sys/class/infiniband/\(device)/ports/1/state\n"), "\(node) does not check \(device) is up")
            }
            #expect(verify.contains("has_address enP2p1s0f0np0 198.51.100."))
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

/// The runbook read as an operator on a fresh machine reads it: steps in an order that works,
/// tools by full path, and the commands of a step doing what the step says.
@Suite struct RunbookTests {
    private let artifacts = Compilation.run(path: Fixtures.splitTrustPath).artifacts ?? []
    private let stack = "nodes/spark-01/home/cameron/sparky-ai-stack/"

    private func file(_ path: String) throws -> String {
        try #require(artifacts.first { $0.path == path }, "no \(path)").contents
    }

    /// The shell block under the step whose heading contains `title`.
    private func block(_ runbook: String, step title: String) throws -> String {
        let section = try #require(runbook.components(separatedBy: "\n## ").first { $0.split(separator: "\n").first?.contains(title) == true })
        let start = try #require(section.range(of: "```sh\n"))
        let end = try #require(section.range(of: "\n```", range: start.upperBound..<section.endIndex))
        return String(section[start.upperBound..<end.lowerBound])
    }

    @Test func stepsComeInAnOrderThatWorksOnAFreshMachine() throws {
        let runbook = try file(stack + "RUNBOOK.md")
        let headings = runbook.split(separator: "\n").filter { $0.hasPrefix("## ") }.map { $0.split(separator: " ", maxSplits: 2)[2] }
        func position(_ title: String) throws -> Int { try #require(headings.firstIndex { $0.hasPrefix(title) }, "no step \(title)") }
        #expect(try position("Replacing a stack set up by hand") < position("Copy the generated files"))
        #expect(try position("Prerequisites") < position("Model"))
        #expect(try position("Secrets") < position("Firewall"))
        #expect(try position("Firewall") < position("Model"))
        #expect(try position("LiteLLM proxy") < position("Virtual keys"))
        #expect(try position("Virtual keys") < position("Apps"), "Open WebUI reads its key only at its first start")
        #expect(try position("Hermes Agent") < position("Apps"), "Hermes WebUI mounts ~/.hermes, which the installer creates")
        let prerequisites = try block(runbook, step: "Prerequisites")
        #expect(prerequisites.contains("curl -fsSL https://tailscale.com/install.sh | sh"))
        #expect(prerequisites.contains("'huggingface_hub[cli]'"))
        // Fresh accounts have no ~/.local/bin on PATH.
        #expect(runbook.contains("/home/cameron/.local/bin/prisma db push"))
        #expect(runbook.contains("/home/cameron/.local/bin/hf download"))
        #expect(try block(runbook, step: "Replacing a stack set up by hand").contains("docker rm -f vllm-qwen-122b"))
    }

    @Test func hostsStepReplacesUbuntusOwnNameLineAndIsRepeatable() throws {
        let runbook = try file(stack + "RUNBOOK.md")
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hosts = directory + "/hosts"
        // As Ubuntu writes it, plus a line the hand-written guide appended.
        try "127.0.0.1 localhost\n127.0.1.1 spark-01\n192.0.2.21 spark-01\n::1 ip6-localhost ip6-loopback\n"
            .write(toFile: hosts, atomically: true, encoding: .utf8)
        try file(stack + "hosts.spark-gen").write(toFile: directory + "/block", atomically: true, encoding: .utf8)
        let script = try block(runbook, step: "Host names on mgmt addresses")
            .replacingOccurrences(of: "sudo ", with: "")
            .replacingOccurrences(of: "/home/cameron/sparky-ai-stack/hosts.spark-gen", with: directory + "/block")
            .replacingOccurrences(of: "/etc/hosts", with: hosts)
        for _ in 0..<2 {
            let result = CommandRunner.tool("bash", ["-euo", "pipefail", "-c", script])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let lines = try String(contentsOfFile: hosts, encoding: .utf8).split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("127.0.1.1") })
        #expect(lines.filter { $0.hasSuffix(" spark-01") } == ["192.0.2.21 spark-01"])
        #expect(lines.contains("127.0.0.1 localhost") && lines.contains("::1 ip6-localhost ip6-loopback"))
    }

    @Test func databaseAndAppsAskForTheirSecrets() throws {
        let compose = try file(stack + "compose.yaml")
        #expect(compose.contains("POSTGRES_INITDB_ARGS: --auth-local=scram-sha-256 --auth-host=scram-sha-256\n"))
        #expect(compose.contains("- /home/cameron/.sparky01-hermes-webui.env"))
        #expect(compose.contains("- /home/cameron/.sparky01-open-webui.env"))
        // Volume names of their own, as the guide's docker run commands named them.
        #expect(compose.contains("  open-webui:\n    name: open-webui\n"))
        let verify = try file(stack + "scripts/verify.sh")
        // Refused because a password is wanted, not for any failure (a missing container fails too).
        #expect(verify.contains("expect 'litellm-db refuses a connection without a password (127.0.0.1)' pg_wants_password "))
        #expect(verify.contains("expect 'litellm-db refuses a connection without a password (socket)' pg_wants_password "))
        #expect(verify.contains("expect 'hermes-webui requires a login (401 without a session)'"))
        #expect(verify.contains("expect 'the virtual key of open-webui is accepted (200)'"))
    }
}

/// Two multi-node models with images of their own get a recipe each, never the first one's.
@Suite struct ImageRecipeTests {
    @Test func eachImageGetsItsOwnDockerfile() throws {
        let text = Fixtures.splitTrust(
            replacing: "\n# The shared cluster",
            with: """

                  qwen3-8b:
                    source: Qwen/Qwen3-8B-FP8
                    weights_gb: 8
                    runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.05-py3, image: registry.example.com:5000/lab/vllm-next:26.05, ray_token: {file: ~/.ray-cluster-token.env}}
                    cluster: {head: spark-02, workers: [spark-01], tensor_parallel: 2, pipeline_parallel: 1, ray_port: 6380}
                    port: 8002
                    vllm: {gpu_memory_utilization: 0.10, max_model_len: 8192}

                # The shared cluster
                """)
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        let artifacts = try #require(compilation.artifacts, "\(compilation.diagnostics.map(\.oneLine))")
        let stack = "nodes/spark-01/home/cameron/sparky-ai-stack/"
        let first = try #require(artifacts.first { $0.path == stack + "Dockerfile.vllm-spark" })
        // The registry's port is not a tag: only the last ':' after the last '/' is.
        let second = try #require(artifacts.first { $0.path == stack + "Dockerfile.registry.example.com-5000-lab-vllm-next" })
        #expect(first.contents.contains("FROM nvcr.io/nvidia/vllm:26.04-py3\n"))
        #expect(second.contents.contains("FROM nvcr.io/nvidia/vllm:26.05-py3\n"))
        let runbook = try #require(artifacts.first { $0.path == stack + "RUNBOOK.md" }).contents
        #expect(
            runbook.contains(
                "docker build -f /home/cameron/sparky-ai-stack/Dockerfile.registry.example.com-5000-lab-vllm-next -t registry.example.com:5000/lab/vllm-next:26.05 /home/cameron/sparky-ai-stack\n"
            ))
    }
}

/// An app's port is a setting: every file that names the port follows it, and clashes are caught.
@Suite struct AppPortTests {
    @Test func aMovedLiteLLMPortReachesEveryFileThatNamesIt() throws {
        let text = Fixtures.splitTrust(
            replacing: "[litellm, litellm-db, {open-webui: {key: {file: ~/.sparky02",
            with: "[{litellm: {port: 4000}}, litellm-db, {open-webui: {key: {file: ~/.sparky02")
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        let artifacts = try #require(compilation.artifacts, "\(compilation.diagnostics.map(\.oneLine))")
        func file(_ path: String) throws -> String { try #require(artifacts.first { $0.path == path }, "no \(path)").contents }
        let stack = "nodes/spark-02/home/cameron/sparky-ai-stack/"
        #expect(try file("nodes/spark-02/etc/systemd/system/litellm.service").contains("--port 4000\n"))
        #expect(try file(stack + "compose.yaml").contains("OPENAI_API_BASE_URL: http://127.0.0.1:4000/v1"))
        #expect(try file(stack + "scripts/tailscale-up.sh").contains("tailscale serve --bg --tcp 4000 tcp://127.0.0.1:4000\n"))
        #expect(try file(stack + "scripts/verify.sh").contains("expect 'litellm is alive' curl -fsS --max-time 5 http://127.0.0.1:4000/health/liveliness"))
        #expect(try file(stack + "scripts/firewall.sh").contains("ufw allow in on tailscale0 to any port 4000 proto tcp"))
        #expect(try file("tailnets/client-net/policy.hujson").contains("\"tcp:4000\""))
        #expect(!(try file("tailnets/client-net/policy.hujson")).contains("\"tcp:8001\""))
        // spark-01 keeps the default.
        #expect(try file("nodes/spark-01/etc/systemd/system/litellm.service").contains("--port 8001\n"))
    }

    @Test func aPortThatClashesIsAFinding() {
        let text = Fixtures.splitTrust(
            replacing: "{open-webui: {key: {file: ~/.sparky02-open-webui.env}}}, n8n]",
            with: "{open-webui: {key: {file: ~/.sparky02-open-webui.env}}}, {n8n: {port: 8001}}]")
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        #expect(compilation.diagnostics.contains { $0.code == "CL008" && $0.message.contains("8001") }, "\(compilation.diagnostics.map(\.oneLine))")
    }
}

/// Defaults that reach the nodes are listed in the output's README, and only when the key is left out.
@Suite struct AppliedDefaultTests {
    @Test func anOmittedMTUIsListedAndAWrittenOneIsNot() throws {
        let written = try #require(Compilation.run(path: Fixtures.splitTrustPath).artifacts?.first { $0.path == "README.md" }).contents
        #expect(!written.contains("`links.dac.mtu`"))
        #expect(written.contains("| `nodes.spark-01.uid` | 1000 |\n"))
        let text = Fixtures.splitTrust(replacing: ", mtu: 9216}", with: "}")
        let omitted = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").artifacts?.first { $0.path == "README.md" }).contents
        #expect(omitted.contains("| `links.dac.mtu` | 9000 |\n"))
        #expect(omitted.contains("| `nodes.spark-02.apps (ports)` | litellm 8001, litellm-db 5432, open-webui 8080, n8n 5678 |\n"))
    }
}
