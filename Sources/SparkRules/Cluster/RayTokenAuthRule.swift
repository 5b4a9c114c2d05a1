import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL010: a multi-node Ray cluster uses Ray's token authentication.
struct RayTokenAuthRule: Rule {
    static let firstVersion = [2, 52]

    let description = RuleDescription(
        id: "CL010",
        title: "a multi-node Ray cluster uses token authentication",
        rationale: """
            Without authentication any process that reaches Ray's GCS, raylets or client server can join \
            the cluster and run code on every member. spark-gen starts no dashboard, and ufw and the \
            tailnet policy keep the other Ray ports to the cluster's nodes, but those nodes can still \
            reach them (GCS and raylet listen on every address in every Ray release). Ray 2.52 added \
            token authentication (RAY_AUTH_MODE=token): with runtime.ray_token set and Ray 2.52 or later \
            (spark-gen installs \(ClusterPlan.defaultRayVersion) unless runtime.ray_version says otherwise), \
            the containers refuse peers without the shared token.
            """,
        severity: .warning,
        help: "set runtime.ray_token: {file: ~/.ray-cluster-token.env} and keep Ray at 2.52 or later (the default is \(ClusterPlan.defaultRayVersion))",
        triggering: [
            RuleExample(
                .sparkPair,
                [
                    ("      ray_token: {file: ~/.ray-cluster-token.env}\n", ""),
                    ("    cluster: {head: spark-01, workers: [spark-02]", "    cluster: ↓{head: spark-01, workers: [spark-02]"),
                ]),
            RuleExample(.sparkPair, replacing: "      image: vllm-spark:26.04\n", with: "      image: vllm-spark:26.04\n      ray_version: ↓\"2.49.2\"\n"),
            RuleExample(
                .sparkPair, replacing: "      image: vllm-spark:26.04\n      ray_token: {file: ~/.ray-cluster-token.env}\n",
                with: "      image: vllm-spark:26.04\n      ray_version: ↓\"2.54.1\"\n"),
        ],
        nonTriggering: [
            .clean(.sparkPair),
            RuleExample(.sparkPair, replacing: "      image: vllm-spark:26.04\n", with: "      image: vllm-spark:26.04\n      ray_version: \"2.52.0\"\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.compactMap { model -> RuleFinding? in
            guard context.members(of: model).count > 1 else { return nil }
            let runtime = model.runtime
            guard let version = runtime.rayVersion else {
                guard runtime.rayToken == nil else { return nil }
                return RuleFinding(
                    "model '\(model.name)' runs a multi-node Ray \(ClusterPlan.defaultRayVersion) cluster without runtime.ray_token",
                    at: model.clusterPath)
            }
            let parts = version.split(separator: ".").compactMap { Int($0) }
            guard parts.lexicographicallyPrecedes(Self.firstVersion) == false else {
                return RuleFinding(
                    "model '\(model.name)' pins Ray \(version), which has no token authentication (it arrived in 2.52)",
                    at: runtime.path / "ray_version")
            }
            guard runtime.rayToken == nil else { return nil }
            return RuleFinding(
                "model '\(model.name)' runs a multi-node Ray \(version) cluster without runtime.ray_token", at: runtime.path / "ray_version")
        }
    }
}
