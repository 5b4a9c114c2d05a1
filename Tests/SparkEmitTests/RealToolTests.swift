import Foundation
import SparkEmit
import SparkGenKit
import SparkTestSupport
import Testing

/// Every artifact is read by the program that will read it on the node. The tools are
/// installed by scripts/test.sh; a missing tool fails the test, it never skips it.
@Suite struct RealToolTests {
    /// The example's tree written to a temporary directory, with its artifacts.
    private static func tree(_ name: String) throws -> (root: String, artifacts: [Artifact]) {
        let compilation = Compilation.run(path: Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml")
        let artifacts = try #require(compilation.artifacts)
        let root = Fixtures.temporaryDirectory() + "/tree"
        try OutputWriter().write(artifacts, to: root)
        return (root, artifacts)
    }

    private func tool(_ name: String, _ arguments: [String], input: String? = nil) -> CommandResult {
        let result = CommandRunner.tool(name, arguments, input: input)
        #expect(result.status != 127, "\(name) is not installed: run scripts/test.sh, which installs it")
        return result
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func scriptsParseAndPassShellcheck(_ name: String) throws {
        let (root, artifacts) = try Self.tree(name)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let scripts = artifacts.filter { $0.path.hasSuffix(".sh") }
        #expect(!scripts.isEmpty)
        for script in scripts {
            let path = "\(root)/\(script.path)"
            let syntax = tool("bash", ["-n", path])
            #expect(syntax.status == 0, "bash -n \(script.path): \(syntax.stderr)")
            let lint = tool("shellcheck", ["-f", "gcc", "-S", "style", path])
            #expect(lint.status == 0 && lint.stdout.isEmpty, "shellcheck \(script.path):\n\(lint.stdout)\(lint.stderr)")
        }
    }

    /// Verifies units offline in a scratch root holding the system's units and a stub for each
    /// ExecStart binary; systemd-analyze only warns on bad keys, so any output is a failure.
    private func verifyUnits(_ units: [(path: String, contents: String)]) throws -> CommandResult {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let manager = FileManager.default
        try manager.createDirectory(atPath: scratch + "/usr/lib/systemd", withIntermediateDirectories: true)
        try manager.copyItem(atPath: "/usr/lib/systemd/system", toPath: scratch + "/usr/lib/systemd/system")
        var mainUnits: [String] = []
        for unit in units {
            let target = scratch + "/" + unit.path
            try manager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try unit.contents.write(toFile: target, atomically: true, encoding: .utf8)
            if unit.path.hasSuffix(".service") { mainUnits.append(target) }
            for line in unit.contents.split(separator: "\n") where line.hasPrefix("ExecStart=") {
                let binary = String(line.dropFirst("ExecStart=".count).split(separator: " ")[0])
                let stub = scratch + binary
                try manager.createDirectory(atPath: (stub as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try "#!/bin/sh\n".write(toFile: stub, atomically: true, encoding: .utf8)
                try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stub)
            }
        }
        return tool("systemd-analyze", ["verify", "--man=no", "--recursive-errors=no", "--root=\(scratch)"] + mainUnits)
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func unitsPassSystemdAnalyzeVerify(_ name: String) throws {
        let compilation = Compilation.run(path: Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml")
        let artifacts = try #require(compilation.artifacts)
        let nodes = Set(artifacts.compactMap { $0.path.hasPrefix("nodes/") ? $0.path.split(separator: "/")[1] : nil })
        var checked = 0
        for node in nodes.sorted() {
            let prefix = "nodes/\(node)/"
            let units = artifacts.filter { $0.path.hasPrefix(prefix + "etc/systemd/") }
                .map { (path: String($0.path.dropFirst(prefix.count)), contents: $0.contents) }
            guard !units.isEmpty else { continue }
            let result = try verifyUnits(units)
            #expect(result.status == 0 && result.stderr.isEmpty && result.stdout.isEmpty, "\(node): \(result.stdout)\(result.stderr)")
            checked += units.count
        }
        #expect(checked > 0)
    }

    /// The harness itself must catch a broken unit, or a green result proves nothing.
    @Test func unitHarnessCatchesATypoedKey() throws {
        let unit = "[Unit]\nDescription=x\n\n[Service]\nExecStart=/usr/local/bin/x\nRestartSecc=5\n\n[Install]\nWantedBy=multi-user.target\n"
        let result = try verifyUnits([(path: "etc/systemd/system/x.service", contents: unit)])
        #expect(result.stderr.contains("RestartSecc"))
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func yamlArtifactsRoundTripThroughPyYAML(_ name: String) throws {
        let (root, artifacts) = try Self.tree(name)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = artifacts.filter { $0.path.hasSuffix(".yaml") }.map { "\(root)/\($0.path)" }
        #expect(!files.isEmpty)
        let script = "import sys, yaml\nfor f in sys.argv[1:]:\n    d = yaml.safe_load(open(f))\n    assert isinstance(d, dict), f\nprint(len(sys.argv) - 1)\n"
        let result = tool("python3", ["-c", script] + files)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\(files.count)\n")
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func tailnetPoliciesAreValidHuJSON(_ name: String) throws {
        let (root, artifacts) = try Self.tree(name)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = artifacts.filter { $0.path.hasSuffix(".hujson") }.map { "\(root)/\($0.path)" }
        #expect(!files.isEmpty)
        // Our policies use HuJSON only for the leading comment lines; the rest is strict JSON.
        let script = """
            import json, sys
            for f in sys.argv[1:]:
                body = "".join(l for l in open(f) if not l.startswith("//"))
                p = json.loads(body)
                assert isinstance(p["grants"], list) and p["grants"], f
                assert all(t in p["tagOwners"] for g in p["grants"] for t in g["dst"] if t.startswith("tag:")), f
                assert p["tests"], f
            print("ok")
            """
        let result = tool("python3", ["-c", script] + files)
        #expect(result.status == 0 && result.stdout == "ok\n", "\(result.stderr)")
    }

    private static let schemaCheck = """
        import json, sys, yaml, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft7Validator.check_schema(schema)
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(open(sys.argv[2]))), key=str)
        print(len(errors))
        """

    @Test(arguments: Fixtures.examples.map(\.name))
    func examplesValidateAgainstTheSchema(_ name: String) {
        let result = tool("python3", ["-c", Self.schemaCheck, Fixtures.repositoryRoot + "/schemas/topology.schema.json",
                                      Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml"])
        #expect(result.status == 0 && result.stdout == "0\n", "\(result.stdout)\(result.stderr)")
    }

    @Test(arguments: [
        ("    dac_ip: 198.51.100.2", "    dac_ipp: 198.51.100.2"),
        ("mtu: 9216", "mtu: jumbo"),
        ("apps: [litellm, litellm-db, open-webui, n8n]", "apps: [litellm, openwebui]"),
        ("mgmt_ip: 192.0.2.22", "mgmt_ip: 192.0.2.256"),
    ])
    func schemaRejectsWhatTheCompilerRejects(_ old: String, _ new: String) throws {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try Fixtures.splitTrust(replacing: old, with: new).write(toFile: scratch + "/topology.yaml", atomically: true, encoding: .utf8)
        let result = tool("python3", ["-c", Self.schemaCheck, Fixtures.repositoryRoot + "/schemas/topology.schema.json", scratch + "/topology.yaml"])
        #expect(result.status == 0 && result.stdout != "0\n", "the schema accepted \(new): \(result.stderr)")
    }
}
