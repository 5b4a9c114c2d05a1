import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL021: a model that reads images falls back only to models that do.
struct VisionFallbackRule: Rule {
    let description = RuleDescription(
        id: "CL021",
        title: "a model that reads images falls back only to models that do",
        rationale: """
            LiteLLM does not look inside a request before following a fallback: an image sent to a \\
            vision model that is busy or down goes to the next model of the chain whether it can see \\
            or not. A text-only backend that accepts the request answers without the image, a 200 that \\
            is wrong (document 003: a camera event described by a model that never saw it). The chain \\
            of a vision model holds vision models only; a text-only spill belongs in a routing policy \\
            that checks for images first.
            """,
        help: "list only models with 'vision: true' in the fallbacks of a vision model",
        triggering: [
            RuleExample(base: "one-box", replacing: "      tool_call_parser: kimi_k2\n",
                        with: "      tool_call_parser: kimi_k2\n    vision: true\n    fallbacks: [↓qwen3-coder]\n"),
        ],
        nonTriggering: [
            .unchanged,
            RuleExample(base: "one-box", [
                ("      tool_call_parser: kimi_k2\n", "      tool_call_parser: kimi_k2\n    vision: true\n    fallbacks: [qwen3-coder]\n"),
                ("    node: framework\n  qwen3-coder-llama:", "    node: framework\n    vision: true\n  qwen3-coder-llama:"),
            ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var models: [String: Model] = [:]
        for model in context.topology.models where models[model.name] == nil { models[model.name] = model }
        var findings: [RuleFinding] = []
        for model in context.topology.models where model.vision {
            for (index, name) in model.fallbacks.enumerated() {
                guard let target = models[name], !target.vision else { continue }
                findings.append(RuleFinding(
                    "model '\(model.name)' reads images but falls back to '\(name)', which does not", at: model.path / "fallbacks" / index))
            }
        }
        return findings
    }
}
