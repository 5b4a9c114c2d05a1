import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL021: a model that reads images falls back only to models that do.
struct VisionFallbackRule: Rule {
    let description = RuleDescription(
        id: "CL021",
        title: "a model that reads images falls back only to models that do",
        rationale: """
            LiteLLM does not look inside a request before following a fallback: an image sent to a \
            vision model that is busy or down goes to the next model of the chain whether it can see \
            or not. A text-only backend that accepts the request answers without the image, a 200 that \
            is wrong (document 003: a camera event described by a model that never saw it). The chain \
            of a vision model holds vision models only; a text-only spill belongs in a routing policy \
            that checks for images first.
            """,
        help: "list only models with 'vision: true' in the fallbacks of a vision model",
        triggering: [
            RuleExample(
                .amdBox, replacing: "    vllm: {gpu_memory_utilization: 0.20, max_model_len: 32768}\n",
                with: "    vllm: {gpu_memory_utilization: 0.20, max_model_len: 32768}\n    vision: true\n    fallbacks: [↓qwen3-coder]\n")
        ],
        nonTriggering: [
            .clean(.amdBox),
            RuleExample(
                .amdBox,
                [
                    (
                        "    vllm: {gpu_memory_utilization: 0.20, max_model_len: 32768}\n",
                        "    vllm: {gpu_memory_utilization: 0.20, max_model_len: 32768}\n    vision: true\n    fallbacks: [qwen3-coder]\n"
                    ),
                    ("    node: framework\n  qwen3-coder-gguf:", "    node: framework\n    vision: true\n  qwen3-coder-gguf:"),
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for target in context.plan.routingTargets where target.vision {
            for (index, next) in target.fallbacks.enumerated() {
                guard let other = context.plan.routingTarget(named: next), !other.vision else { continue }
                findings.append(
                    RuleFinding(
                        "model '\(target.name)' reads images but falls back to '\(next)', which does not", at: target.path / "fallbacks" / index))
            }
        }
        return findings
    }
}
