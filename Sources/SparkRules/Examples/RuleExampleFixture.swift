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

extension RuleExampleFixture {
    /// An owner of a base, on a tailnet of its own; `keys` is the file that holds its
    /// LiteLLM's master and salt keys, nil for an owner without a LiteLLM.
    struct Owner {
        let name: String
        let tailnet: String
        let tag: String
        var keys: String? = nil
    }

    /// The lines every base starts with: the version, the stack's name, and each owner with its
    /// tailnet (one user, `OWNER@example.com`, ssh allowed). A base's `yaml` is this and its own
    /// lines, so `spark-gen explain` still prints it whole.
    static func header(stack: String, _ owners: [Owner]) -> String {
        var text = "version: 1\n\nstack:\n  name: \(stack)\n\nowners:\n"
        for owner in owners {
            text += "  \(owner.name):\n    tailnet: \(owner.tailnet)\n"
            if let keys = owner.keys { text += "    master_key: {file: \(keys)}\n    salt_key: {file: \(keys)}\n" }
        }
        text += "\ntailnets:\n"
        for owner in owners {
            text += "  \(owner.tailnet):\n    tag: \(owner.tag)\n    users: [\(owner.name)@example.com]\n    ssh: true\n"
        }
        return text + "\n"
    }
}
