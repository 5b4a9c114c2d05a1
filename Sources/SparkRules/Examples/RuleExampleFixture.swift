/// A small topology a rule example starts from, owned by the rule catalog rather than read from
/// `examples/*`: an example is "this fixture, plus the few lines that trigger the rule", and
/// a change to a committed example cannot break it. Every fixture lints clean of every rule and
/// builds (RuleExampleFixtureTests), so a triggering example triggers because of its edits.
public struct RuleExampleFixture: Sendable {
    /// The name `spark-gen explain` shows (`two-owner-lab`).
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
        twoOwnerLab, soloSpark, sharedSwitch, mixedBox, multiModel, homelab, catalogLab, sharedGateway, twoLinks,
    ]
}
