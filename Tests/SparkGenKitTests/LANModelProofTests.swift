import Foundation
import SparkTestSupport
import Testing

/// A model served over a LAN, on a real kernel (proof/netns_matrix.py): two-links with spark-c
/// off its direct link, so spark-a's LiteLLM calls qwen3-30b on spark-c over the mgmt LAN. The
/// caller is admitted to the model's port, the LAN's other neighbours are refused, ssh over the
/// LAN is as it was; a firewall that opens the port to the whole LAN must fail the proof.
@Suite struct LANModelProofTests {
    static func lanLab() throws -> String {
        try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/two-links/topology.yaml", encoding: .utf8)
            .replacingOccurrences(of: "  dac-ac: {kind: direct, interface: enp1s0f1np1, hca: rocep1s0f1, subnet: 198.51.100.4/30, mtu: 9216}\n", with: "")
            .replacingOccurrences(of: ", dac-ac: 198.51.100.5}", with: "}")
            .replacingOccurrences(of: "      dac-ac: {ip: 198.51.100.6, interface: enp1s0f0np0, hca: rocep1s0f0}\n", with: "")
    }

    /// Builds the lab into a fresh directory: (directory, tree, intent).
    static func build() throws -> (root: String, tree: String, intent: String) {
        let root = Fixtures.temporaryDirectory()
        try lanLab().write(toFile: root + "/topology.yaml", atomically: true, encoding: .utf8)
        let build = CommandRunner.run(Fixtures.binary, ["build", "topology.yaml", "-o", root + "/tree"], in: root)
        #expect(build.status == 0, "\(build.stderr)")
        let trust = CommandRunner.run(Fixtures.binary, ["trust", "topology.yaml", "--format", "json"], in: root)
        #expect(trust.status == 0, "\(trust.stderr)")
        try trust.stdout.write(toFile: root + "/intent.json", atomically: true, encoding: .utf8)
        return (root, root + "/tree", root + "/intent.json")
    }

    static func prove(_ tree: String, _ intent: String) async -> CommandResult {
        await Proof.run("netns_matrix.py", ["--tree", tree, "--intent", intent])
    }

    static let firewall = "nodes/spark-c/home/ops/rack-lab/scripts/firewall.sh"

    @Test func theCallerIsAdmittedAndTheLANIsNot() async throws {
        let lab = try Self.build()
        defer { try? FileManager.default.removeItem(atPath: lab.root) }
        let script = try String(contentsOfFile: lab.tree + "/" + Self.firewall, encoding: .utf8)
        #expect(script.contains("ufw allow in from 192.0.2.41 to 192.0.2.43 port 8002 proto tcp"), "\(script)")
        #expect(script.contains("ufw allow in from 192.0.2.0/24 to 192.0.2.43 port 22 proto tcp"), "ssh over the LAN is kept")
        let result = await Self.prove(lab.tree, lab.intent)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        // Columns: local, own tailnet, own tag, spark-a over mgmt, the mgmt LAN's neighbour.
        let row = result.stdout.split(separator: "\n").first { $0.contains("8002  vllm qwen3-30b") }.map(String.init) ?? ""
        #expect(row.split(separator: " ").suffix(2) == ["yes", "—"], "\(result.stdout)")
    }

    @Test func aModelPortOpenToTheWholeLANFails() async throws {
        let lab = try Self.build()
        defer { try? FileManager.default.removeItem(atPath: lab.root) }
        let path = lab.tree + "/" + Self.firewall
        let script = try String(contentsOfFile: path, encoding: .utf8)
        let opened = script.replacingOccurrences(
            of: "ufw allow in from 192.0.2.41 to 192.0.2.43 port 8002", with: "ufw allow in from 192.0.2.0/24 to 192.0.2.43 port 8002")
        #expect(opened != script)
        try opened.write(toFile: path, atomically: true, encoding: .utf8)
        let result = await Self.prove(lab.tree, lab.intent)
        #expect(result.status == 1)
        let row = result.stdout.split(separator: "\n").first { $0.contains("8002  vllm qwen3-30b") }
        #expect(row?.hasSuffix("yes ≠ —!") == true, "\(result.stdout)")
    }
}
