import Foundation
import SparkRules
import SparkTestSupport
import Testing

/// Runs the built `spark-gen` binary the way users and CI do.
@Suite struct CommandLineTests {
    private func run(_ arguments: [String], in directory: String) -> CommandResult {
        CommandRunner.run(Fixtures.binary, arguments, in: directory)
    }

    /// A scratch directory holding a copy of the example as `examples/split-trust/topology.yaml`.
    private func workspace(_ text: String = Fixtures.splitTrust) throws -> String {
        let root = Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/examples/split-trust", withIntermediateDirectories: true)
        try text.write(toFile: root + "/examples/split-trust/topology.yaml", atomically: true, encoding: .utf8)
        return root
    }

    @Test func lintReadsATopologyFromAPipe() {
        // As a review of another revision does: spark-gen lint <(git show REV:topology.yaml).
        let broken = Fixtures.splitTrust(replacing: "    tag: tag:hjp-ai\n", with: "    tagg: tag:hjp-ai\n")
        let result = CommandRunner.tool("bash", ["-c", "\"$0\" lint <(cat)", Fixtures.binary], input: broken)
        #expect(result.status == 2)
        #expect(result.stderr.contains(":32:5: error[SP002]: unknown key 'tagg' in tailnet 'client-net'"), "\(result.stderr)")
    }

    @Test func buildWritesTheDefaultTreeAndDiffIsClean() throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let build = run(["build", "examples/split-trust/topology.yaml"], in: root)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout.contains("to out/split-trust"))
        #expect(FileManager.default.fileExists(atPath: root + "/out/split-trust/tailnets/you-net/policy.hujson"))
        let diff = run(["diff", "examples/split-trust/topology.yaml"], in: root)
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout.isEmpty)
    }

    @Test func diffExitsOneAfterOneValueChanges() throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(run(["build", "examples/split-trust/topology.yaml"], in: root).status == 0)
        let changed = Fixtures.splitTrust(replacing: "max_num_seqs: 32", with: "max_num_seqs: 48")
        try changed.write(toFile: root + "/examples/split-trust/topology.yaml", atomically: true, encoding: .utf8)
        let diff = run(["diff", "examples/split-trust/topology.yaml"], in: root)
        #expect(diff.status == 1)
        #expect(diff.stdout.contains("-  --max-num-seqs 32 \\"))
        #expect(diff.stdout.contains("+  --max-num-seqs 48 \\"))
        #expect(diff.stdout.contains("+++ b/nodes/spark-01/home/cameron/sparky-ai-stack/scripts/vllm-head-entrypoint.sh"))
        #expect(diff.stderr.contains("1 file(s) differ"))
    }

    @Test func diffAgainstAnotherDirectory() throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let committed = Fixtures.repositoryRoot + "/out/split-trust"
        let diff = run(["diff", "examples/split-trust/topology.yaml", "--against", committed], in: root)
        #expect(diff.status == 0, "\(diff.stdout)")
        let missing = run(["diff", "examples/split-trust/topology.yaml", "--against", root + "/nowhere"], in: root)
        #expect(missing.status == 1)
    }

    @Test func lintPassesTheExampleAndWritesNothing() throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lint = run(["lint", "examples/split-trust/topology.yaml"], in: root)
        #expect(lint.status == 0, "\(lint.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/out"))
        // A clean run says so in one last line; -q leaves only the findings.
        #expect(lint.stderr.hasSuffix("examples/split-trust/topology.yaml: ok, \(RuleCatalog.rules.count) rules, 0 findings (1 accepted)\n"))
        let quiet = run(["lint", "-q", "examples/split-trust/topology.yaml"], in: root)
        #expect(quiet.status == 0 && !quiet.stderr.contains(": ok,"))
        let broken = try workspace(Fixtures.splitTrust(replacing: "    port: 8000\n", with: "    port: 8000\n    listen: 0.0.0.0\n"))
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let failing = run(["lint", "examples/split-trust/topology.yaml"], in: broken)
        #expect(failing.status == 1 && failing.stderr.hasSuffix("topology.yaml: 1 error, 0 warnings (1 accepted)\n"), "\(failing.stderr)")
    }

    @Test func theOutputDirectoryIsTheSameHoweverThePathIsSpelled() throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let inside = root + "/examples/split-trust"
        #expect(run(["build", "./topology.yaml"], in: inside).status == 0)
        let again = run(["diff", "topology.yaml"], in: inside)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(FileManager.default.fileExists(atPath: inside + "/out/split-trust/README.md"))
    }

    /// Malformed topologies: one positioned error line, exit 2, nothing written.
    @Test(arguments: [
        ("typo'd key", "    dac_ip: 198.51.100.2", "    dac_ipp: 198.51.100.2", "error[SP002]: unknown key 'dac_ipp' in node 'spark-02'"),
        ("wrong type", "    port: 8000", "    port: eight", "error[SP001]: 'port' must be a whole number from 1 to 65535, found the string 'eight'"),
        ("duplicate key", "    port: 8000", "    port: 8000\n    port: 8001", "error[YA008]: duplicate key 'port' (first defined at line"),
        ("invalid IP", "mgmt_ip: 192.0.2.22", "mgmt_ip: 192.0.2.256", "error[SP008]: '192.0.2.256' is not an IPv4 address"),
        ("tab indentation", "  name: sparky-ai-stack", "\tname: sparky-ai-stack", "error[YA002]: tab character where YAML expects spaces"),
    ])
    func malformedTopologyFailsWithAPositionedError(_ what: String, _ old: String, _ new: String, _ message: String) throws {
        let text = Fixtures.splitTrust(replacing: old, with: new)
        let root = try workspace(text)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let build = run(["build", "examples/split-trust/topology.yaml"], in: root)
        #expect(build.status == 2, "\(what)")
        let first = build.stderr.split(separator: "\n").first.map(String.init) ?? ""
        let pattern = #/^examples/split-trust/topology\.yaml:\d+:\d+: /#
        #expect(first.contains(pattern), "\(what): \(first)")
        #expect(first.contains(message), "\(what): \(first)")
        #expect(!build.stderr.contains("Fatal error"), "\(what)")
        #expect(!FileManager.default.fileExists(atPath: root + "/out"), "\(what): a failed build wrote output")
    }

    @Test func emptyFileFailsWithAPositionedError() throws {
        let root = try workspace("")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let build = run(["build", "examples/split-trust/topology.yaml"], in: root)
        #expect(build.status == 2)
        #expect(build.stderr.hasPrefix("examples/split-trust/topology.yaml:1:1: error[SP014]: the topology is empty\n"))
        #expect(!FileManager.default.fileExists(atPath: root + "/out"))
    }

    @Test func failedBuildKeepsThePreviousTree() throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(run(["build", "examples/split-trust/topology.yaml"], in: root).status == 0)
        let before = try FileManager.default.subpathsOfDirectory(atPath: root + "/out/split-trust").sorted()
        try Fixtures.splitTrust(replacing: "mtu: 9216", with: "mtu: jumbo")
            .write(toFile: root + "/examples/split-trust/topology.yaml", atomically: true, encoding: .utf8)
        #expect(run(["build", "examples/split-trust/topology.yaml"], in: root).status == 2)
        #expect(try FileManager.default.subpathsOfDirectory(atPath: root + "/out/split-trust").sorted() == before)
    }

    @Test(arguments: [["build"], ["frobnicate"], ["build", "--bogus", "x.yaml"], ["build", "does-not-exist.yaml"]])
    func usageAndMissingFileErrorsExitTwo(_ arguments: [String]) throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = run(arguments, in: root)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func helpExitsZero() throws {
        let result = CommandRunner.run(Fixtures.binary, ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("build"))
    }
}
