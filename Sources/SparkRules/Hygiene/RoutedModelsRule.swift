import SparkDiagnostics
import SparkPlan
import SparkSpec

/// HY003: an owner's LiteLLM routes at least one model.
struct RoutedModelsRule: Rule {
    let description = RuleDescription(
        id: "HY003",
        title: "every LiteLLM routes at least one model",
        rationale: """
            An owner without 'models' routes only the models that run on the owner's own nodes; another \
            owner's model is never routed by default, because calling it opens its unauthenticated port \
            (ST008). A LiteLLM left with no model starts, answers every request with an error and looks \
            broken rather than deliberately empty, so the surprise is reported here instead.
            """,
        severity: .warning,
        help: "run a model on one of the owner's nodes, or list the models the owner may use in 'owners.<owner>.models'",
        triggering: [
            RuleExample(
                .twoOwners, replacing: "    master_key: {file: ~/.client-litellm.env}\n",
                with: "    master_key: {file: ~/.client-litellm.env}\n    models: ↓[]\n")
        ],
        nonTriggering: [.clean(.twoOwners)])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var reported = Set<String>()
        var findings: [RuleFinding] = []
        for node in context.plan.nodes {
            guard let litellm = node.litellm, litellm.routes.isEmpty, reported.insert(node.owner.name).inserted else { continue }
            let why =
                node.owner.models == nil
                ? "no model runs on a node of '\(node.owner.name)' and 'models' is not set"
                : "its 'models' list is empty"
            findings.append(
                RuleFinding(
                    "the LiteLLM of owner '\(node.owner.name)' on '\(node.name)' routes no model: \(why)",
                    at: node.owner.models == nil ? node.owner.path : node.owner.path / "models"))
        }
        return findings
    }
}
