import SparkDiagnostics
import SparkSpec

/// CL010: a multi-node Ray cluster uses Ray's token authentication.
struct RayTokenAuthRule: Rule {
    static let firstVersion = [2, 52]

    let description = RuleDescription(
        id: "CL010",
        title: "a multi-node Ray cluster uses token authentication",
        rationale: """
            Without authentication any process that reaches Ray's GCS, raylets or dashboard can join \
            the cluster and run code on every member. spark-gen keeps those ports on the DAC and the \
            dashboard on loopback, but the other cluster nodes can still reach them. Ray 2.52 added \
            token authentication (RAY_AUTH_MODE=token): with runtime.ray_version pinned to 2.52 or \
            later and runtime.ray_token set, the containers refuse peers without the shared token.
            """,
        severity: .warning,
        help: "pin runtime.ray_version to 2.52 or later and set runtime.ray_token: {file: ~/.ray-cluster-token.env}",
        triggering: [
            RuleExample(replacing: "      image: vllm-spark:26.04\n", with: "      image: ↓vllm-spark:26.04\n"),
            RuleExample(replacing: "      image: vllm-spark:26.04\n", with: "      image: vllm-spark:26.04\n      ray_version: ↓\"2.49.2\"\n"),
            RuleExample(replacing: "      image: vllm-spark:26.04\n",
                        with: "      image: vllm-spark:26.04\n      ray_version: ↓\"2.54.1\"\n"),
        ],
        nonTriggering: [
            RuleExample(replacing: "      image: vllm-spark:26.04\n",
                        with: "      image: vllm-spark:26.04\n      ray_version: \"2.54.1\"\n      ray_token: {file: ~/.ray-cluster-token.env}\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.topology.models.compactMap { model -> RuleFinding? in
            guard context.members(of: model).count > 1 else { return nil }
            let runtime = model.runtime
            guard let version = runtime.rayVersion else {
                return RuleFinding(
                    "model '\(model.name)' runs a multi-node Ray cluster with Ray unpinned, so token authentication cannot be relied on",
                    at: runtime.path / "image")
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
