import SparkDiagnostics
import SparkPlan
import SparkSpec

/// ST008: an owner's LiteLLM routes another owner's model only when both owners say so.
struct CrossOwnerModelRule: Rule {
    let description = RuleDescription(
        id: "ST008",
        title: "a model is called directly by another owner's LiteLLM only when both owners state it",
        rationale: """
            A route from one owner's LiteLLM to a model that runs on none of that owner's nodes opens the \
            model's vLLM port to that owner's node over the DAC. vLLM has no authentication, so anyone on \
            that node can then use the model with no key, past the model owner's LiteLLM keys, logs and \
            limits, and the model owner sees none of it. Such a route needs both sides: the calling owner \
            lists the model in 'owners.<owner>.models', and the model names the calling owner in \
            'shared_with'. Owners that share a cluster (TR001) already see every prompt of it and need no entry.
            """,
        help: "remove the model from the owner's 'models', or have the model's owner add the caller to the model's 'shared_with'",
        triggering: [
            RuleExample(
                .twoOwners, replacing: "    master_key: {file: ~/.client-litellm.env}\n",
                with: "    master_key: {file: ~/.client-litellm.env}\n    models: [qwen3-4b, ↓qwen3-30b]\n")
        ],
        nonTriggering: [
            .clean(.twoOwners),
            RuleExample(
                .twoOwners,
                [
                    ("    master_key: {file: ~/.client-litellm.env}\n", "    master_key: {file: ~/.client-litellm.env}\n    models: [qwen3-4b, qwen3-30b]\n"),
                    ("    node: spark-01\n", "    node: spark-01\n    shared_with: [client]\n"),
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        var litellms: [String: [String]] = [:]
        for node in context.plan.nodes where node.litellm != nil { litellms[node.owner.name, default: []].append("'\(node.name)'") }
        for owner in context.plan.owners {
            for (index, name) in (owner.models ?? []).enumerated() {
                guard let model = context.plan.cluster(ofModel: name), !model.members.contains(where: { $0.owner == owner.name }),
                    !model.sharedWith.contains(owner.name)
                else { continue }
                let head = model.head
                let callers = litellms[owner.name] ?? []
                let reach =
                    callers.isEmpty
                    ? "" : ": \(callers.joined(separator: ", ")) would reach its unauthenticated vLLM port \(model.port) on '\(head.name)' directly"
                findings.append(
                    RuleFinding(
                        "owner '\(owner.name)' routes model '\(model.name)' of owner '\(head.owner)'\(reach), past the LiteLLM keys and logs of '\(head.owner)', and the model does not list '\(owner.name)' in shared_with",
                        at: owner.path / "models" / index,
                        help:
                            "remove '\(model.name)' from owners.\(owner.name).models, or, if '\(head.owner)' agrees, add 'shared_with: [\(owner.name)]' to model '\(model.name)'"
                    ))
            }
        }
        return findings
    }
}
