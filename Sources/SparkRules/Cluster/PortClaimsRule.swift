import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL008: no two services on one node listen on the same port.
struct PortClaimsRule: Rule {
    let description = RuleDescription(
        id: "CL008",
        title: "no two services on one node claim the same port",
        rationale: """
            Two listeners on one port cannot both start; whichever starts second fails, and the \
            firewall and tailnet rules written for the first now describe the wrong service.
            """,
        help: "give the model, its Ray head or the app a port of its own",
        triggering: [
            RuleExample(replacing: "    port: 8000", with: "    port: ↓8080"),
            RuleExample(
                replacing: "cluster: {head: spark-01, workers: [spark-02], tensor_parallel: 2, pipeline_parallel: 1}",
                with: "cluster: {head: spark-01, workers: [spark-02], tensor_parallel: 2, pipeline_parallel: 1, ray_port: ↓5678}"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for node in context.topology.nodes {
            var claims: [Int: String] = [:]
            func claim(_ port: Int, _ what: String, at path: SpecPath) {
                if let owner = claims[port] {
                    findings.append(RuleFinding("\(what) on node '\(node.name)' claims port \(port), already used by \(owner)", at: path))
                } else {
                    claims[port] = what
                }
            }
            for (index, app) in node.apps.enumerated() {
                if let port = node.port(of: app) { claim(port, "app \(app.rawValue)", at: node.path / "apps" / index) }
            }
            // The models this node heads, in file order, from the plan (not a scan of every model).
            for role in context.plan.node(named: node.name)?.clusterRoles ?? [] where role.kind == .head {
                let model = role.cluster.model
                claim(model.port, "the API of model '\(model.name)'", at: model.path / "port")
                if role.cluster.isMultiNode {
                    claim(model.cluster.rayPort, "the Ray head of model '\(model.name)'", at: model.cluster.path / "ray_port")
                    claim(ClusterPlan.dashboardPort, "the Ray dashboard of model '\(model.name)'", at: model.cluster.path)
                }
            }
        }
        return findings
    }
}
