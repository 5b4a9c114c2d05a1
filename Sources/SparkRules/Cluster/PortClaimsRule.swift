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
        help: "give the model, its Ray head or the app a port of its own; two NVIDIA NIMs never share a node (each one's Triton takes ports 8000 to 8002)",
        triggering: [
            // The model and LiteLLM on one port; the Ray head on LiteLLM's.
            RuleExample(.oneSpark, replacing: "    port: 8000", with: "    port: ↓8001"),
            RuleExample(.sparkPair, replacing: "tensor_parallel: 2}", with: "tensor_parallel: 2, ray_port: ↓8001}"),
            // Two NIMs on one node: each one's Triton takes 8000 to 8002 on the host network.
            RuleExample(
                .catalog,
                [
                    ("    tailnet: me-net\n", "    tailnet: me-net\n    ngc_api_key: {file: ~/.ngc-api-key.env}\n"),
                    ("lan: 192.168.1.52}\n", "lan: 192.168.1.52}\n    apps: ↓[parakeet, magpie]\n"),
                ]),
        ],
        nonTriggering: [.clean(.oneSpark), .clean(.sparkPair)])

    /// Reads the Plan's listeners, so whatever a kind adds is covered; a multi-node head also
    /// keeps Ray's dashboard port free (started with --include-dashboard=false, but one
    /// `ray start` without it would take the port).
    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for node in context.plan.nodes {
            var claims: [Int: (what: String, path: SpecPath)] = [:]
            // One finding per pair of listeners, with every port they both claim (a NIM's Triton takes three).
            var clashes: [(what: String, owner: String, ports: [Int], path: SpecPath, ownerPath: SpecPath)] = []
            func claim(_ port: Int, _ what: String, at path: SpecPath) {
                guard let owner = claims[port] else {
                    claims[port] = (what, path)
                    return
                }
                if let index = clashes.firstIndex(where: { $0.what == what && $0.owner == owner.what }) {
                    clashes[index].ports.append(port)
                } else {
                    clashes.append((what, owner.what, [port], path, owner.path))
                }
            }
            for service in node.services {
                claim(service.port, service.phrase, at: service.path)
                if case .rayGCS(let model) = service.role {
                    claim(ClusterPlan.dashboardPort, "the Ray dashboard of model '\(model)'", at: service.path.parent ?? service.path)
                }
            }
            for clash in clashes {
                let ports = clash.ports.count == 1 ? "port \(clash.ports[0])" : "ports \(clash.ports.map(String.init).joined(separator: ", "))"
                var finding = RuleFinding(
                    "\(clash.what) on node '\(node.name)' claims \(ports), already used by \(clash.owner)", at: clash.path,
                    help: "give \(clash.what) or \(clash.owner) another port; two NVIDIA NIMs never share a node (each one's Triton takes ports 8000 to 8002)")
                // Both claims are shown: the one that came first may be a default the user never wrote.
                finding.related = ("\(clash.owner) on node '\(node.name)' claims \(ports) here", clash.ownerPath)
                findings.append(finding)
            }
        }
        return findings
    }
}
