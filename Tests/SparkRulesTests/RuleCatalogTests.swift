import Foundation
import SparkDiagnostics
import SparkGenKit
import SparkRules
import SparkTestSupport
import Testing

/// Runs every rule's own examples: a triggering example must produce a finding of that rule
/// exactly where its `↓` marker points, a non-triggering one must produce none.
@Suite struct RuleCatalogTests {
    static var ruleIDs: [String] { RuleCatalog.rules.map(\.description.id) }

    @Test func catalogHasRulesWithUniqueWellFormedIDs() {
        let ids = Self.ruleIDs
        #expect(!ids.isEmpty)
        #expect(Set(ids).count == ids.count)
        for rule in RuleCatalog.rules {
            let description = rule.description
            #expect(description.id.count == 5, "\(description.id)")
            #expect(!description.title.isEmpty && !description.rationale.isEmpty && !description.help.isEmpty, "\(description.id)")
            #expect(!description.triggering.isEmpty, "\(description.id) has no triggering example")
            #expect(!description.nonTriggering.isEmpty, "\(description.id) has no non-triggering example")
            #expect(description.title.first?.isUppercase == false, "\(description.id): titles start lowercase")
            // A line's end written `\\` instead of `\` in a multi-line string leaves a backslash in `explain`.
            #expect(!description.rationale.contains("\\\n") && !description.rationale.hasSuffix("\\"), "\(description.id): stray backslash")
        }
    }

    @Test(arguments: ruleIDs)
    func triggeringExamplesFindWhereTheMarkerPoints(_ id: String) throws {
        let rule = try #require(RuleCatalog.rule(id: id))
        for (number, example) in rule.description.triggering.enumerated() {
            let (text, marker) = try Fixtures.materialize(example)
            let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
            let structural = compilation.diagnostics.filter { $0.severity == .error && $0.inputID != nil }
            #expect(structural.isEmpty, "\(id) example \(number) is not a valid topology: \(structural.map(\.oneLine))")
            let findings = compilation.diagnostics.filter { $0.code == id && $0.severity != .note }
            #expect(!findings.isEmpty, "\(id) example \(number) produced no finding")
            if let marker {
                #expect(
                    findings.contains { $0.location == marker },
                    "\(id) example \(number): expected a finding at \(marker), got \(findings.map { $0.oneLine })")
            } else {
                Issue.record("\(id) example \(number) has no ↓ marker")
            }
            if rule.description.severity == .error {
                #expect(compilation.artifacts == nil, "\(id) example \(number): a topology with an error was built")
            }
        }
    }

    @Test(arguments: ruleIDs)
    func nonTriggeringExamplesFindNothing(_ id: String) throws {
        let rule = try #require(RuleCatalog.rule(id: id))
        for (number, example) in rule.description.nonTriggering.enumerated() {
            let (text, _) = try Fixtures.materialize(example)
            let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
            let errors = compilation.diagnostics.filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(id) non-triggering example \(number) has errors: \(errors.map(\.oneLine))")
            let findings = compilation.diagnostics.filter { $0.code == id && $0.severity != .note }
            #expect(findings.isEmpty, "\(id) non-triggering example \(number): \(findings.map { $0.oneLine })")
        }
    }

    @Test func unknownAcceptedRuleIsAnError() throws {
        let text = Fixtures.splitTrust(replacing: "  - rule: TR001\n", with: "  - rule: ZZ999\n")
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        #expect(compilation.diagnostics.contains { $0.message == "accept_risks names rule 'ZZ999', which does not exist" })
    }
}

/// Every setting a rule example uses is one the JSON Schema knows, so editors never flag a
/// topology the compiler accepts.
@Suite struct RuleExampleSchemaTests {
    /// What the schema says of one rule's examples that decode, or why they could not be asked.
    struct Verdict: Sendable {
        var examples: [(number: Int, errors: String)] = []
        var failure: String?
    }

    /// Every rule's verdict, from one Python for all the examples of all rules: a start with yaml
    /// and jsonschema imported costs about a quarter of a CPU-second here (once per example, then
    /// once per rule before: docs/testing.md). Computed once, by the first test that asks.
    static let verdicts: [String: Verdict] = {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var verdicts: [String: Verdict] = [:]
        var asked: [(id: String, number: Int, path: String)] = []
        for rule in RuleCatalog.rules.map(\.description) {
            var verdict = Verdict()
            do {
                for (number, example) in (rule.triggering + rule.nonTriggering).enumerated() {
                    let (text, _) = try Fixtures.materialize(example)
                    // A literal secret (SC003) is refused while reading, and so by the schema too.
                    guard Compilation.run(bytes: Array(text.utf8), file: "topology.yaml", through: .plan).plan != nil else { continue }
                    let path = directory + "/\(rule.id)-\(number).yaml"
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                    asked.append((rule.id, number, path))
                }
            } catch {
                verdict.failure = "\(error)"
            }
            verdicts[rule.id] = verdict
        }
        let script = """
            import json, sys, yaml, jsonschema
            validator = jsonschema.Draft7Validator(json.load(open(sys.argv[1])))
            for path in sys.argv[2:]:
                print(json.dumps("; ".join(e.message for e in validator.iter_errors(yaml.safe_load(open(path))))))
            """
        let result = CommandRunner.tool("python3", ["-c", script, Fixtures.repositoryRoot + "/schemas/topology.schema.json"] + asked.map(\.path))
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard result.status == 0 && lines.count == asked.count else {
            for id in verdicts.keys { verdicts[id]?.failure = "the schema check failed: \(result.stdout)\(result.stderr)" }
            return verdicts
        }
        for (example, line) in zip(asked, lines) { verdicts[example.id]?.examples.append((example.number, String(line))) }
        return verdicts
    }()

    @Test(arguments: RuleCatalogTests.ruleIDs)
    func examplesThatDecodeValidateAgainstTheSchema(_ id: String) throws {
        let verdict = try #require(Self.verdicts[id])
        if let failure = verdict.failure { Issue.record("\(id): \(failure)") }
        for example in verdict.examples {
            #expect(example.errors == "\"\"", "\(id) example \(example.number): \(example.errors)")
        }
    }
}
