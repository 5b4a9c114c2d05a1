import Foundation
import SparkTestSupport
import Testing

/// The generated stack's trust boundary on a real kernel (proof/netns_matrix.py): network
/// namespaces for the nodes, the generated ufw rules applied with real ufw, listeners where
/// the generated files put them, and probes from every vantage point compared with the
/// intent `spark-gen trust` derives. Breaking the generator on purpose must fail it.
@Suite struct TrustBoundaryProofTests {
    private func prove(_ tree: String, _ intent: String) async -> CommandResult {
        await Proof.run("netns_matrix.py", ["--tree", tree, "--intent", intent])
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func generatedStackMatchesTheIntent(_ name: String) async throws {
        let example = try BuiltExample(name)
        defer { example.remove() }
        let result = await prove(example.tree, example.intent)
        ProofReport.record(result.stdout, example: name, checker: "netns")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(" 0 failed"))
    }

    static let head = "nodes/spark-01/home/cameron/sparky-ai-stack"

    @Test func vllmOnAWildcardAddressFails() async throws {
        let example = try BuiltExample("split-trust")
        defer { example.remove() }
        try example.edit(Self.head + "/scripts/vllm-head-entrypoint.sh", replacing: "--host 198.51.100.1", with: "--host 0.0.0.0")
        let result = await prove(example.tree, example.intent)
        #expect(result.status == 1)
        #expect(result.stdout.contains("listener audit: spark-01: the artifacts bind port 8000 on 0.0.0.0"), "\(result.stdout)")
    }

    @Test func aFirewallRuleOpeningTheModelPortFails() async throws {
        let example = try BuiltExample("split-trust")
        defer { example.remove() }
        try example.edit(Self.head + "/scripts/firewall.sh", replacing: "ufw --force enable\n", with: "ufw allow 8000/tcp\nufw --force enable\n")
        let result = await prove(example.tree, example.intent)
        #expect(result.status == 1)
        // The mgmt neighbour reaches vLLM's DAC address through the node's mgmt address.
        let row = result.stdout.split(separator: "\n").first { $0.contains("8000  vllm") }
        #expect(Self.cell(row, column: "lan:mgmt", in: result.stdout) == "yes ≠ —!", "\(result.stdout)")
    }

    @Test func aPeerAdmittedPastItsLinkFails() async throws {
        // spark-c shares only dac-ac with spark-a; a rule admitting it to spark-a's dac-ab address
        // opens sshd and Ray's GCS (both on every address) to it through the cable they share.
        let example = try BuiltExample("two-links")
        defer { example.remove() }
        try example.edit(
            "nodes/spark-a/home/ops/rack-lab/scripts/firewall.sh", replacing: "ufw --force enable\n",
            with: "ufw allow in on enp1s0f1np1 from 198.51.100.6 to 198.51.100.1\nufw --force enable\n")
        let result = await prove(example.tree, example.intent)
        #expect(result.status == 1)
        let row = result.stdout.split(separator: "\n").first { $0.contains("6379  ray gcs") }
        #expect(row?.contains("yes ≠ —!") == true, "\(result.stdout)")
    }

    /// The proof places the code a Ray peer runs on spark-01 where the generated launch script
    /// puts the Ray container: with `--network host` in the node's own namespace, where the
    /// loopback-only apps answer it as the intent says; a container off the host's network has a
    /// loopback of its own, and the intent no longer holds.
    @Test func aRayPeersCodeIsProbedWhereTheLaunchScriptPutsIt() async throws {
        let example = try BuiltExample("split-trust")
        defer { example.remove() }
        try example.edit(Self.head + "/scripts/vllm-head.sh", replacing: "  --network host \\\n", with: "")
        let result = await prove(example.tree, example.intent)
        #expect(result.status == 1)
        let row = result.stdout.split(separator: "\n").first { $0.contains("5432  litellm-db") }
        #expect(Self.cell(row, column: "ray-peer", in: result.stdout) == "— ≠ yes!", "\(result.stdout)")
    }

    @Test func publishingOpenWebUIFails() async throws {
        let example = try BuiltExample("split-trust")
        defer { example.remove() }
        try example.edit(
            Self.head + "/compose.yaml",
            replacing: "    container_name: open-webui\n    restart: unless-stopped\n    network_mode: host\n",
            with: "    container_name: open-webui\n    restart: unless-stopped\n    ports:\n    - \"8080:8080\"\n")
        let result = await prove(example.tree, example.intent)
        #expect(result.status == 1)
        // Docker's DNAT bypasses ufw: the mgmt LAN reaches Open WebUI although ufw denies 8080.
        let row = result.stdout.split(separator: "\n").first { $0.contains("8080  open-webui") }
        #expect(Self.cell(row, column: "lan:mgmt", in: result.stdout) == "yes ≠ —!", "\(result.stdout)")
    }

    /// Each node's verify.sh probes of its peers run on the same kernel: the refusal the
    /// shared-gateway workstation once had of spark's vLLM, which spark's firewall admits it to
    /// (LiteLLM calls it there), fails on a healthy deployment.
    @Test func aVerifyRefusalOfAnAdmittedPortFails() async throws {
        let example = try BuiltExample("shared-gateway")
        defer { example.remove() }
        try example.edit(
            "nodes/workstation/home/me/shared-gateway/scripts/verify.sh",
            replacing: "expect 'spark vllm gpt-oss-120b (8000) answers on LAN home'",
            with: "refuse 'spark vllm gpt-oss-120b (8000) is closed on LAN home'")
        let result = await prove(example.tree, example.intent)
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL  workstation: spark vllm gpt-oss-120b (8000) is closed on LAN home"), "\(result.stdout)")
        #expect(result.stdout.contains("ok    box3090: workstation litellm (4000) answers on LAN home"), "\(result.stdout)")
    }

    /// The cell of `row` under `column` in the first matrix of the proof's output (spark-01's):
    /// the columns are as wide as their headers or cells, so the header's position finds it. A
    /// new vantage appends a column, which a suffix test would mistake for this one.
    static func cell(_ row: Substring?, column: String, in output: String) -> String? {
        guard let row, let header = output.split(separator: "\n").first(where: { $0.contains("port  service") }),
            let start = header.range(of: column)?.lowerBound
        else { return nil }
        let offset = header.distance(from: header.startIndex, to: start)
        guard row.count > offset else { return nil }
        let rest = row.dropFirst(offset)
        // A cell ends where two spaces begin the next one.
        return String(rest.components(separatedBy: "  ").first ?? "").trimmingCharacters(in: .whitespaces)
    }
}
