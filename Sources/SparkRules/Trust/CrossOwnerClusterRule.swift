import SparkDiagnostics
import SparkSpec

/// TR001: a cluster whose ranks run on nodes of different owners shares every prompt.
struct CrossOwnerClusterRule: Rule {
    let description = RuleDescription(
        id: "TR001",
        title: "a model cluster spans nodes of different owners",
        rationale: """
            Every node running a tensor- or pipeline-parallel rank receives the token ids of every \
            request: vLLM sends each new request's prompt token ids to all workers, so the worker's owner \
            can read all prompts, not "only floats" as the guide says. Members of one Ray cluster can also \
            run code on each other's Ray processes, and an exposed dashboard or job API turns that into \
            remote code execution. Sharing a cluster across owners is a trust decision both must make \
            knowingly; spark-gen applies the mitigations that exist (Ray dashboard on loopback, GCS, API \
            and NCCL on the DAC only, firewall rules that admit only the DAC peer).
            """,
        help: "keep each cluster within one owner's nodes, or record the agreement with accept_risks: [{rule: TR001, reason: \"…\"}]",
        triggering: [
            RuleExample([
                ("accept_risks:\n  - rule: TR001\n", "accept_risks:\n  - rule: CL007\n"),
                ("workers: [spark-02]", "workers: [↓spark-02]"),
            ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for model in context.plan.clusters {
            let head = model.head
            for (index, worker) in model.workers.enumerated() where worker.owner != head.owner {
                findings.append(RuleFinding(
                    "model '\(model.name)' runs a rank on '\(worker.name)' (owner '\(worker.owner)') while its head '\(head.name)' belongs to '\(head.owner)': '\(worker.owner)' can read every prompt sent to it, and both Ray nodes can run code on each other",
                    at: model.clusterPath / "workers" / index))
            }
        }
        return findings
    }
}
