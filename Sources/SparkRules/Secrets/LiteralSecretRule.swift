import SparkDiagnostics

/// SC003: secrets are referenced, never written in the topology.
///
/// The finding is reported while the topology is read, before a plan exists, so the value
/// never enters the model; this type carries the rule's description and examples.
struct LiteralSecretRule: Rule {
    let description = RuleDescription(
        id: "SC003",
        title: "a secret is written in the topology instead of referenced",
        rationale: """
            A topology is committed, reviewed and copied into CI logs; a key written in it is a key \
            published. spark-gen never reads a secret: it names the environment file on the node that \
            holds it, and the diagnostic for a literal value never repeats the value.
            """,
        help: "replace the value with {file: \"~/.name.env\"} and put the value in that file on the node (mode 0600)",
        triggering: [
            RuleExample(.oneSpark, replacing: "master_key: {file: ~/.me-litellm.env}", with: "master_key: ↓sk-me-1234567890abcdef")
        ])

    func check(_ context: RuleContext) -> [RuleFinding] { [] }
}
