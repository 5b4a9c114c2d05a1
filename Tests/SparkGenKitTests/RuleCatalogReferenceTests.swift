import Foundation
import SparkGenKit
import SparkRules
import SparkTestSupport
import Testing

/// docs/rule-catalog.md is the catalog as the code has it (issue 24, item 7: moved out of the
/// README and generated where it can be).
@Suite struct RuleCatalogReferenceTests {
    @Test func theCommittedPageIsCurrent() throws {
        let committed = try String(contentsOfFile: Fixtures.repositoryRoot + "/" + RuleCatalogReference.path, encoding: .utf8)
        #expect(
            committed == RuleCatalogReference.markdown(),
            "docs/rule-catalog.md is stale: run spark-gen rules --markdown > docs/rule-catalog.md")
    }

    /// Every rule is on the page once, under a heading of its own, in a group.
    @Test func everyRuleHasItsSection() {
        let page = RuleCatalogReference.markdown()
        for rule in RuleCatalog.rules.map(\.description) {
            #expect(page.components(separatedBy: "\n### \(rule.id)\n").count == 2, "\(rule.id)")
        }
        #expect(!page.contains("## Other"), "a rule id outside the known groups")
    }
}
