import SparkDiagnostics
import SparkSpec

/// ST005: each node joins exactly its owner's tailnet.
struct OwnTailnetRule: Rule {
    let description = RuleDescription(
        id: "ST005",
        title: "each node joins its owner's tailnet",
        rationale: """
            A node's tailnet decides who can reach its apps and whose policy governs it. A node on \
            another owner's tailnet is administered by that owner: they can grant themselves its \
            LiteLLM, chats and keys.
            """,
        help: "remove the node's 'tailnet' setting, or give the node to the owner of that tailnet",
        triggering: [
            RuleExample(.twoOwners, replacing: "    user: client\n", with: "    user: client\n    tailnet: ↓you-net\n")
        ],
        nonTriggering: [
            .clean(.twoOwners),
            RuleExample(.twoOwners, replacing: "    user: client\n", with: "    user: client\n    tailnet: client-net\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.nodes.compactMap { node -> RuleFinding? in
            let tailnet = node.tailnet.name, owner = node.owner
            guard tailnet != owner.tailnet else { return nil }
            return RuleFinding(
                "node '\(node.name)' joins tailnet '\(tailnet)' but its owner '\(owner.name)' uses '\(owner.tailnet)'", at: node.path / "tailnet")
        }
    }
}
