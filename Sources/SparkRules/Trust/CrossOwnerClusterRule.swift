import SparkDiagnostics
import SparkPlan
import SparkSpec

/// TR001: a cluster whose ranks run on nodes of different owners shares every prompt.
struct CrossOwnerClusterRule: Rule {
    let description = RuleDescription(
        id: "TR001",
        title: "a model cluster spans nodes of different owners",
        rationale: """
            Every node running a tensor- or pipeline-parallel rank receives the token ids of every \
            request: vLLM sends each new request's prompt token ids to all workers, so the worker's owner \
            can read all prompts, not "only floats" as the guide says. Any member of a Ray cluster can also \
            run code on every other member: Ray has no access control between a cluster's jobs ("Jobs have \
            full access to a Ray cluster and all of the resources within it", docs.ray.io/en/latest/cluster/faq.html; \
            "Ray allows any clients to run arbitrary code", docs.ray.io/en/latest/ray-security/index.html). \
            The task runs in the member's Ray container, which shares the host's network (--network host), \
            so it reaches every listener of that node, loopback included: LiteLLM, PostgreSQL, Open WebUI, \
            n8n and the rest bound to 127.0.0.1, and whatever else listens on any of its addresses. \
            An exposed dashboard or job API turns that into remote code execution for anyone. Sharing a cluster across owners is a trust decision both must make \
            knowingly; spark-gen applies the mitigations that exist (Ray dashboard on loopback, GCS, API \
            and NCCL on the DAC only, firewall rules that admit only the DAC peer).
            """,
        help: "keep each cluster within one owner's nodes, or record the agreement with accept_risks: [{rule: TR001, reason: \"…\"}]",
        triggering: [
            // spark-02 passes to a second owner, and the cluster with it.
            RuleExample(
                .sparkPair,
                [
                    ("    salt_key: {file: ~/.me-litellm.env}\n", "    salt_key: {file: ~/.me-litellm.env}\n  client:\n    tailnet: client-net\n"),
                    ("    ssh: true\n", "    ssh: true\n  client-net:\n    tag: tag:client\n    users: [client@example.com]\n"),
                    (
                        "    owner: me\n    user: me\n    hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}\n    mgmt_ip: 192.0.2.22\n",
                        "    owner: client\n    user: me\n    hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}\n    mgmt_ip: 192.0.2.22\n"
                    ),
                    ("workers: [spark-02]", "workers: [↓spark-02]"),
                ])
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for model in context.plan.clusters {
            let head = model.head
            for (index, worker) in model.workers.enumerated() where worker.owner != head.owner {
                findings.append(
                    RuleFinding(
                        "model '\(model.name)' runs a rank on '\(worker.name)' (owner '\(worker.owner)') while its head '\(head.name)' belongs to '\(head.owner)': '\(worker.owner)' can read every prompt sent to it, and each owner can run code on the other's node through Ray, in the host's network: "
                            + "on '\(head.name)' it reaches \(Self.reach(head.name, in: context.plan)); on '\(worker.name)', \(Self.reach(worker.name, in: context.plan))",
                        at: model.clusterPath / "workers" / index))
            }
        }
        return findings
    }

    /// Every listener of the node by name and port, loopback included, and every other port.
    static func reach(_ name: String, in plan: Plan) -> String {
        guard let node = plan.node(named: name) else { return "every port" }
        let listeners = Reachability.listeners(of: node).map { "\($0.name) \($0.port)\($0.isLoopbackOnly ? " (loopback)" : "")" }
        return listeners.joined(separator: ", ") + " and every other port on its addresses, loopback included"
    }
}
