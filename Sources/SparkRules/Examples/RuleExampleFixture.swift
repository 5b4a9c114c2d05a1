/// A minimal topology a rule example starts from, owned by the rule catalog rather than read from
/// `examples/*` or the starters of `spark-gen init`: one owner, one node and one model
/// (`oneSpark`), or the least that a group of rules needs beyond that (a pair on a DAC cable, two
/// owners, an AMD box, a catalog, a gateway with routes). An example is "this base, plus the few
/// lines its rule is about", so it shows everything the rule reads. Every base lints clean of
/// every rule and builds (RuleExampleFixtureTests), so a triggering example triggers because of
/// its edits.
public struct RuleExampleFixture: Sendable {
    /// The name `spark-gen explain` shows (`spark-pair`).
    public let name: String
    /// One line on what the topology is.
    public let summary: String
    /// The topology, ending in a newline.
    public let yaml: String

    public init(name: String, summary: String, yaml: String) {
        self.name = name
        self.summary = summary
        self.yaml = yaml
    }

    public static let all: [RuleExampleFixture] = [
        oneSpark, sparkPair, twoOwners, amdBox, catalog, gateway,
    ]
}
