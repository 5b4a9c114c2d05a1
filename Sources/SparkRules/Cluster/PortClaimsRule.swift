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

    /// Reads the Plan's listeners, so whatever a kind adds is covered; a multi-node head also
    /// keeps Ray's dashboard port free (started with --include-dashboard=false, but one
    /// `ray start` without it would take the port).
    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for node in context.plan.nodes {
            var claims: [Int: String] = [:]
            func claim(_ port: Int, _ what: String, at path: SpecPath) {
                if let owner = claims[port] {
                    findings.append(RuleFinding("\(what) on node '\(node.name)' claims port \(port), already used by \(owner)", at: path))
                } else {
                    claims[port] = what
                }
            }
            for service in node.services {
                claim(service.port, service.phrase, at: service.path)
                if case .rayGCS(let model) = service.role {
                    claim(ClusterPlan.dashboardPort, "the Ray dashboard of model '\(model)'", at: service.path.parent ?? service.path)
                }
            }
        }
        return findings
    }
}
