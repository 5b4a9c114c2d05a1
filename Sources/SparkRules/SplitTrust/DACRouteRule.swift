import SparkDiagnostics
import SparkSpec

/// ST006: no link's subnet is advertised on a tailnet.
struct DACRouteRule: Rule {
    let description = RuleDescription(
        id: "ST006",
        title: "the subnets of the DAC, fabrics and LANs are never advertised on a tailnet",
        rationale: """
            The DAC link carries the unauthenticated vLLM API, Ray and NCCL. Advertising a route that \
            covers it makes the node a subnet router into the cluster link: every device the tailnet \
            policy lets use the route reaches port 8000 and Ray directly. A route over the mgmt LAN does \
            the same for every host on it, the other owner's nodes and their ssh included: traffic from a \
            subnet router arrives from the router's own address, past the tailnet policy's view of users.
            """,
        help: "remove the route; nothing outside the cluster needs the DAC link, and tailnet users reach the apps through 'tailscale serve'",
        triggering: [
            RuleExample(
                .sparkPair, replacing: "    dac_ip: 198.51.100.1\n", with: "    dac_ip: 198.51.100.1\n    advertise_routes: [↓198.51.100.0/24]\n"),
            RuleExample(
                .sparkPair, replacing: "    dac_ip: 198.51.100.2\n", with: "    dac_ip: 198.51.100.2\n    advertise_routes: [10.20.0.0/16, ↓192.0.2.0/25]\n"),
        ],
        nonTriggering: [
            .clean(.sparkPair),
            RuleExample(.sparkPair, replacing: "    dac_ip: 198.51.100.1\n", with: "    dac_ip: 198.51.100.1\n    advertise_routes: [10.20.0.0/16]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for node in context.plan.nodes {
            for (index, route) in node.advertiseRoutes.enumerated() {
                for link in context.plan.links where route.overlaps(link.subnet) {
                    findings.append(
                        RuleFinding(
                            "node '\(node.name)' advertises \(route), which covers \(link.phrase) \(link.subnet)",
                            at: node.path / "advertise_routes" / index))
                }
            }
        }
        return findings
    }
}
