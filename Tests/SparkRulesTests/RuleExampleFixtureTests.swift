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
    /// Examples still written as edits of `examples/*`. The number may only go down: lower it
    /// when a rule's examples move to fixtures, and never raise it.
    static let oldFormCeiling = 0

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

    @Test func oldFormExamplesOnlyGoDown() {
        var oldForm: [String] = []
        for rule in RuleCatalog.rules.map(\.description) {
            for example in rule.triggering + rule.nonTriggering where example.fixture == nil { oldForm.append(rule.id) }
        }
        #expect(oldForm.count <= Self.oldFormCeiling, "examples that edit examples/*: \(oldForm)")
    }

    /// An edit must name text that occurs once, or the example would change more than it shows.
    @Test func anEditOfTextThatRepeatsIsRefused() {
        let twice = RuleExample(.twoOwnerLab, replacing: "cameron", with: "ops")
        #expect(throws: RuleExample.ApplyError.self) { try twice.applied() }
        let once = RuleExample(.twoOwnerLab, replacing: "tailnet_hostname: sparky-02", with: "tailnet_hostname: ↓spark-01")
        let hunk = try? #require(once.applied()?.hunks.first)
        #expect(hunk?.removed == ["    tailnet_hostname: sparky-02"] && hunk?.added == ["    tailnet_hostname: ↓spark-01"])
    }
}
