import Foundation
import SparkGenKit
import SparkTestSupport
import Testing

/// `spark-gen init`: every starter is a valid, lint-clean topology with its values to change
/// marked, the schema accepts it, and an existing file is never replaced by accident.
@Suite struct StarterTopologyTests {
    @Test(arguments: StarterTopology.allCases)
    func everyStarterIsCleanUnderStrict(_ starter: StarterTopology) throws {
        let compilation = Compilation.run(bytes: Array(starter.text.utf8), file: "topology.yaml")
        #expect(compilation.diagnostics.filter { $0.acceptedReason == nil }.isEmpty, "\(compilation.diagnostics.map(\.oneLine))")
        #expect(compilation.artifacts != nil)
        #expect(starter.text.hasPrefix("# yaml-language-server: $schema="))
        #expect(starter.text.contains("# CHANGE"))
    }

    @Test(arguments: StarterTopology.allCases)
    func everyStarterValidatesAgainstTheSchema(_ starter: StarterTopology) throws {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try starter.text.write(toFile: scratch + "/topology.yaml", atomically: true, encoding: .utf8)
        let check = """
            import json, sys, yaml, jsonschema
            schema = json.load(open(sys.argv[1]))
            errors = list(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(open(sys.argv[2]))))
            print(len(errors), *[e.message for e in errors[:3]])
            """
        let result = CommandRunner.tool("python3", ["-c", check, Fixtures.repositoryRoot + "/schemas/topology.schema.json", scratch + "/topology.yaml"])
        #expect(result.status == 0 && result.stdout == "0\n", "\(result.stdout)\(result.stderr)")
    }

    @Test func initWritesOnceAndRefusesToReplace() throws {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let first = CommandRunner.run(Fixtures.binary, ["init", "one-box"], in: scratch)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try String(contentsOfFile: scratch + "/topology.yaml", encoding: .utf8) == StarterTopology.oneBox.text)
        let again = CommandRunner.run(Fixtures.binary, ["init", "pair"], in: scratch)
        #expect(again.status == 2)
        #expect(again.stderr.contains("topology.yaml exists"))
        #expect(try String(contentsOfFile: scratch + "/topology.yaml", encoding: .utf8) == StarterTopology.oneBox.text)
        let lint = CommandRunner.run(Fixtures.binary, ["lint", "--strict", "topology.yaml"], in: scratch)
        #expect(lint.status == 0, "\(lint.stderr)")
        let printed = CommandRunner.run(Fixtures.binary, ["init", "lab", "-o", "-"], in: scratch)
        #expect(printed.stdout == StarterTopology.lab.text)
    }

    /// The newcomer's lab (issue 24): `init shared-homelab` lints clean under --strict through
    /// the command line, the Spark's model is served on the home LAN to the workstation alone,
    /// and neither owner's gateway routes the other's models.
    @Test func sharedHomelabIsTheNewcomersLab() throws {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let written = CommandRunner.run(Fixtures.binary, ["init", "shared-homelab"], in: scratch)
        #expect(written.status == 0, "\(written.stderr)")
        let lint = CommandRunner.run(Fixtures.binary, ["lint", "--strict", "topology.yaml"], in: scratch)
        #expect(lint.status == 0, "\(lint.stderr)")
        let artifacts = try #require(Compilation.run(bytes: Array(StarterTopology.sharedHomelab.text.utf8), file: "topology.yaml").artifacts)
        func file(_ suffix: String) throws -> String { try #require(artifacts.first { $0.path.hasSuffix(suffix) }).contents }
        let firewall = try file("nodes/spark/home/me/shared-homelab/scripts/firewall.sh")
        let modelRules = firewall.split(separator: "\n").filter { $0.hasPrefix("ufw allow") && $0.contains("port 8000") }
        #expect(modelRules == ["ufw allow in from 192.168.1.10 to 192.168.1.20 port 8000 proto tcp comment 'vllm gpt-oss-120b for workstation over LAN home'"])
        let mine = try file("nodes/workstation/home/me/shared-homelab/litellm-config.yaml")
        let theirs = try file("nodes/box-3090/home/housemate/shared-homelab/litellm-config.yaml")
        #expect(mine.contains("http://192.168.1.20:8000/v1") && mine.contains("mac-chat"))
        // The housemate calls the offered model through the workstation's gateway with the
        // minted key, never the Spark's vLLM, and routes none of the owner's other models.
        #expect(theirs.contains("http://192.168.1.10:4000/v1") && theirs.contains("os.environ/LITELLM_OFFER_KEY"))
        #expect(theirs.contains("gpt-oss-120b") && !theirs.contains("192.168.1.20") && !theirs.contains("mac-chat") && !theirs.contains("coder"))
        let gatewayFirewall = try file("nodes/workstation/home/me/shared-homelab/scripts/firewall.sh")
        #expect(gatewayFirewall.contains("ufw allow in from 192.168.1.30 to 192.168.1.10 port 4000 proto tcp"), "\(gatewayFirewall)")
    }
}
