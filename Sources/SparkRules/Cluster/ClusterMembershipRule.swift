import SparkDiagnostics
import SparkSpec

/// CL004: a cluster has exactly one head and names each node once.
struct ClusterMembershipRule: Rule {
    let description = RuleDescription(
        id: "CL004",
        title: "a cluster has one head and lists each node once",
        rationale: """
            The head starts Ray's GCS and vLLM; workers join it. A node listed as both, or twice, would \
            start two Ray processes fighting over one GPU and port, and the GPU count the head waits for \
            would never match.
            """,
        help: "name the head under 'head' and every other node once under 'workers'",
        triggering: [
            RuleExample(.sparkPair, replacing: "workers: [spark-02]", with: "workers: [spark-02, ↓spark-01]"),
            RuleExample(.sparkPair, replacing: "workers: [spark-02]", with: "workers: [spark-02, ↓spark-02]"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for model in context.plan.clusters {
            var seen: Set<String> = [model.head.name]
            for (index, worker) in model.workers.map(\.name).enumerated() where !seen.insert(worker).inserted {
                let role = worker == model.head.name ? "is the head and is also listed as a worker" : "is listed twice as a worker"
                findings.append(
                    RuleFinding(
                        "node '\(worker)' \(role) in the cluster of model '\(model.name)'", at: model.clusterPath / "workers" / index))
            }
        }
        return findings
    }
}
