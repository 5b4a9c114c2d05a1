import Foundation
import SparkDiagnostics
import SparkGenKit
import SparkRules
import SparkTestSupport
import Testing

/// Every diagnostic carries an id that `explain` knows, the ids are stable and distinct, and
/// docs/diagnostics.md lists them as the code does.
@Suite struct DiagnosticIDTests {
    static let badInputs: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.repositoryRoot + "/Tests/BadInputs")) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    static let ruleIDs = Set(RuleCatalog.rules.map(\.description.id))

    @Test func codesAndNamesAreDistinctAndInTheirDomain() {
        let codes = DiagnosticID.all.map(\.code), names = DiagnosticID.all.map(\.name)
        #expect(Set(codes).count == codes.count, "two ids share a code")
        #expect(Set(names).count == names.count, "two ids share a name")
        #expect(Self.ruleIDs.isDisjoint(with: codes), "an id collides with a rule id")
        for id in DiagnosticID.all {
            #expect(id.code.contains(#/^(IO|YA|SP|RS)\d{3}$/#) && id.code.hasPrefix(id.domain.rawValue), "\(id.code)")
            #expect(id.name.contains(#/^[a-z]+(-[a-z]+)*$/#), "\(id.name)")
            #expect(DiagnosticID.lookup(id.code.lowercased()) == id && DiagnosticID.lookup(id.name) == id)
        }
        // Rule groups' prefixes stay clear of the input domains.
        let prefixes = Set(Self.ruleIDs.map { String($0.prefix(2)) })
        #expect(prefixes.isDisjoint(with: DiagnosticID.Domain.allCases.map(\.rawValue)), "\(prefixes)")
    }

    /// Codes are written by hand, never derived from order: these never change meaning.
    @Test func publishedCodesKeepTheirMeaning() {
        #expect(DiagnosticID.lookup("YA008")?.name == "duplicate-key")
        #expect(DiagnosticID.lookup("SP002")?.name == "unknown-key")
        #expect(DiagnosticID.lookup("RS001")?.name == "unknown-reference")
    }

    @Test func docsListIsCurrent() throws {
        let committed = try String(contentsOfFile: Fixtures.repositoryRoot + "/" + DiagnosticsReference.path, encoding: .utf8)
        #expect(
            committed == DiagnosticsReference.markdown(),
            "docs/diagnostics.md is stale: run spark-gen rules --input-errors --markdown > docs/diagnostics.md")
    }

    /// Every finding of every bad input, as JSON, names an id that `explain` can describe. The
    /// JSON is made in this process the way `build --format json` makes it (Build.run: the
    /// compilation without emitting, then JSONReporter): BadInputsTests already starts the
    /// binary on every file, and a start of the debug binary is most of what a bad input costs.
    @Test(arguments: badInputs)
    func everyBadInputsFindingHasAnID(_ file: String) throws {
        let compilation = Compilation.run(path: Fixtures.repositoryRoot + "/Tests/BadInputs/" + file, through: .plan)
        let json = try JSONReporter().render(compilation.diagnostics)
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], "\(file): \(json)")
        #expect(!findings.isEmpty, "\(file)")
        for finding in findings {
            let rule = finding["rule"] as? String
            #expect(rule != nil, "\(file): no id on '\(finding["message"] ?? "")'")
            if let rule {
                #expect(Self.ruleIDs.contains(rule) || DiagnosticID.lookup(rule) != nil, "\(file): unknown id \(rule)")
            }
        }
    }

    /// SARIF results name their id and point at a rules entry with that id.
    @Test(arguments: ["unknown-key-dacc.yaml", "duplicate-key-in-flow-mapping.yaml", "literal-master-key.yaml", "backend-unknown-host.yaml"])
    func sarifResultsPointAtTheirRule(_ file: String) throws {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = CommandRunner.run(
            Fixtures.binary, ["build", "Tests/BadInputs/" + file, "-o", scratch + "/out", "--format", "sarif"], in: Fixtures.repositoryRoot)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let rules = try #require(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(!results.isEmpty)
        for item in results {
            let id = try #require(item["ruleId"] as? String, "\(file): a result without ruleId")
            let index = try #require(item["ruleIndex"] as? Int, "\(file): \(id) has no ruleIndex")
            #expect(rules[index]["id"] as? String == id)
        }
    }

    /// The ids the bad-input corpus does not reach, each from a small input of its own.
    @Test(arguments: [
        ("YA007", String(repeating: "[", count: 300)),
        ("YA009", "? [a, b]\n: 1\n"),
        (
            "SP017",
            Fixtures.splitTrust(
                replacing: "    apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.sparky02",
                with: "    apps: [n8n, n8n, litellm, litellm-db, {open-webui: {key: {file: ~/.sparky02")
        ),
        ("RS010", Fixtures.splitTrust(replacing: "  - rule: TR001", with: "  - rule: TR999")),
    ])
    func idsOutsideTheCorpus(_ code: String, _ text: String) {
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml", through: .plan)
        #expect(compilation.diagnostics.contains { $0.code == code }, "\(compilation.diagnostics.map(\.oneLine))")
    }

    @Test func aMissingFileHasItsID() {
        let compilation = Compilation.run(path: Fixtures.temporaryDirectory() + "/no-such-topology.yaml")
        #expect(compilation.diagnostics.map(\.code) == ["IO001"])
    }
}
