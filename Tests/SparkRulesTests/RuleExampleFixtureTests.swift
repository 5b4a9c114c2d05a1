import Foundation
import SparkDiagnostics
import SparkGenKit
import SparkRules
import SparkTestSupport
import Testing

/// Rule examples stand alone (issue 27, item 5): each starts from a small fixture the catalog
/// owns, which lints clean of every rule and builds, so an example triggers because of its own
/// edits and a change to `examples/*` cannot break it.
@Suite struct RuleExampleFixtureTests {
    @Test(arguments: RuleExampleFixture.all.map(\.name))
    func fixtureLintsCleanAndBuilds(_ name: String) throws {
        let fixture = try #require(RuleExampleFixture.all.first { $0.name == name })
        #expect(fixture.yaml.hasSuffix("\n") && !fixture.yaml.contains(RuleExample.marker))
        let compilation = Compilation.run(bytes: Array(fixture.yaml.utf8), file: "topology.yaml")
        let findings = compilation.diagnostics.filter { $0.severity != .note }
        #expect(findings.isEmpty, "\(name): \(findings.map(\.oneLine))")
        #expect(compilation.artifacts != nil, "\(name) does not build")
    }

    @Test func fixtureNamesAreUnique() {
        let names = RuleExampleFixture.all.map(\.name)
        #expect(Set(names).count == names.count)
    }

    @Test func everyFixtureIsUsed() {
        let used = Set(RuleCatalog.rules.flatMap { $0.description.triggering + $0.description.nonTriggering }.map(\.fixture.name))
        #expect(used == Set(RuleExampleFixture.all.map(\.name)))
    }

    /// No rule example reads `examples/*`: the rules' module reads no file at all, and the
    /// helper that turns an example into a topology names no example directory.
    @Test func ruleExamplesReadNoCommittedExample() throws {
        let root = Fixtures.repositoryRoot
        let rules = try FileManager.default.subpathsOfDirectory(atPath: root + "/Sources/SparkRules").filter { $0.hasSuffix(".swift") }
        #expect(rules.count > 50)
        for file in rules {
            let text = try String(contentsOfFile: root + "/Sources/SparkRules/" + file, encoding: .utf8)
            #expect(!text.contains("import Foundation") && !text.contains("contentsOfFile"), "\(file) reads files")
        }
        let helper = try String(contentsOfFile: root + "/Tests/SparkTestSupport/RuleExamples.swift", encoding: .utf8)
        #expect(!helper.contains("examples/") && !helper.contains("contentsOfFile"))
    }

    /// An edit must name text that occurs once, or the example would change more than it shows.
    @Test func anEditOfTextThatRepeatsIsRefused() throws {
        let twice = RuleExample(.sparkPair, replacing: "owner: me", with: "owner: ops")
        #expect(throws: RuleExample.ApplyError.self) { try twice.applied() }
        let once = RuleExample(.sparkPair, replacing: "mgmt_ip: 192.0.2.22", with: "mgmt_ip: ↓192.0.2.21")
        let hunks = try once.applied().hunks
        #expect(hunks.count == 1)
        #expect(hunks.first?.removed == ["    mgmt_ip: 192.0.2.22"] && hunks.first?.added == ["    mgmt_ip: ↓192.0.2.21"])
        #expect(hunks.first?.parents == ["nodes:", "  spark-02:"])
    }
}

/// A triggering example shows its own rule: the other rules it also trips are listed here, and
/// the list may only shrink (an entry no longer needed fails too).
@Suite struct RuleExampleOverlapTests {
    static let knownOverlaps: [String: Set<String>] = [
        "CL004": ["CL008"], "HY008": ["HY007"], "SC008": ["HY004"], "ST011": ["ST002"],
    ]

    @Test func triggeringExamplesTripNoUnlistedRule() throws {
        let ids = Set(RuleCatalog.rules.map(\.description.id))
        var overlaps: [String: Set<String>] = [:]
        for rule in RuleCatalog.rules.map(\.description) {
            for example in rule.triggering {
                let (text, _) = try Fixtures.materialize(example)
                let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
                let others = compilation.diagnostics.filter { $0.severity != .note && $0.code != rule.id }.compactMap(\.code).filter(ids.contains)
                if !others.isEmpty { overlaps[rule.id, default: []].formUnion(others) }
            }
        }
        let literal = overlaps.keys.sorted().map { "\"\($0)\": [\(overlaps[$0]!.sorted().map { "\"\($0)\"" }.joined(separator: ", "))]" }
        #expect(overlaps == Self.knownOverlaps, "now: [\(literal.joined(separator: ", "))]")
    }
}
