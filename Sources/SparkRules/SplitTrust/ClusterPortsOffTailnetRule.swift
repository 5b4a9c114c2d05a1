import SparkDiagnostics
import SparkSpec

/// ST002: model and Ray ports are never opened to a tailnet or outside the cluster links.
struct ClusterPortsOffTailnetRule: Rule {
    let description = RuleDescription(
        id: "ST002",
        title: "model and Ray ports are reachable over the cluster's link only",
        rationale: """
            Port 8000 is vLLM's unauthenticated API; Ray's GCS and dashboard accept jobs, which is \
            remote code execution. Reaching them from a tailnet bypasses the owner's LiteLLM: no key, \
            no log, no rate limit. They may be admitted only on the DAC interface from the cluster's own \
            nodes; no tailnet grant, share or firewall rule may name them anywhere else.
            """,
        help: "remove the port from the grant, share or firewall rule; callers use their own LiteLLM",
        triggering: [
            // The tailnet's own nodes (its tag) reach the vLLM port past LiteLLM.
            RuleExample(
                .sparkPair, replacing: "    users: [me@example.com]\n",
                with: "    users: [me@example.com]\n    grants: [{src: [tag:pair], ports: [↓8000]}]\n"),
            RuleExample(
                .sparkPair, replacing: "    dac_ip: 198.51.100.1\n",
                with: "    dac_ip: 198.51.100.1\n    firewall: [{allow: 6379, interface: ↓tailscale0}]\n"),
            RuleExample(.sparkPair, replacing: "    dac_ip: 198.51.100.1\n", with: "    dac_ip: 198.51.100.1\n    firewall: [{allow: ↓8000}]\n"),
        ],
        nonTriggering: [
            .clean(.sparkPair),
            RuleExample(
                .sparkPair, replacing: "    dac_ip: 198.51.100.1\n",
                with: "    dac_ip: 198.51.100.1\n    firewall: [{allow: 9100, interface: tailscale0, comment: node-exporter}]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        let ports = RestrictedPorts(context.plan)
        let restricted = ports.all
        var findings: [RuleFinding] = []
        for tailnet in context.plan.tailnets {
            // A grant for the owner's other devices (dst without the node tag) opens nothing on the nodes.
            for grant in tailnet.grants where grant.destinations.map({ $0.contains(tailnet.tag) || $0.contains("*") }) ?? true {
                for (index, port) in grant.ports.enumerated() {
                    guard let what = restricted[port] else { continue }
                    findings.append(
                        RuleFinding(
                            "a grant of tailnet '\(tailnet.name)' opens port \(port), \(what), to the tailnet", at: grant.path / "ports" / index))
                }
            }
            for share in tailnet.shares {
                for (index, port) in share.ports.enumerated() {
                    // Named by what listens on the shared nodes, not by another node's model on that port.
                    guard let what = ports.what(port, on: share.nodes) else { continue }
                    findings.append(
                        RuleFinding(
                            "tailnet '\(tailnet.name)' shares port \(port), \(what), with tailnet '\(share.tailnet)'", at: share.path / "ports" / index))
                }
            }
        }
        for plan in context.plan.nodes {
            let node = plan
            let clusterDevices = Set(plan.clusterInterfaces.compactMap(\.device))
            for rule in node.firewall {
                guard let what = restricted[rule.port], !(rule.interface.map(clusterDevices.contains) ?? false) else { continue }
                let place = rule.interface.map { "on \($0)" } ?? "on every interface"
                findings.append(
                    RuleFinding(
                        "a firewall rule of node '\(node.name)' admits port \(rule.port), \(what), \(place)",
                        at: rule.path / (rule.interface == nil ? "allow" : "interface")))
            }
        }
        return findings
    }
}
