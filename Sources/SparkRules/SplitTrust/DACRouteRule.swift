import SparkDiagnostics
import SparkSpec

/// ST006: the DAC subnet is never advertised on a tailnet.
struct DACRouteRule: Rule {
    let description = RuleDescription(
        id: "ST006",
        title: "the DAC subnet is never advertised on a tailnet",
        rationale: """
            The DAC link carries the unauthenticated vLLM API, Ray and NCCL. Advertising a route that \
            covers it makes the node a subnet router into the cluster link: every device the tailnet \
            policy lets use the route reaches port 8000 and Ray directly.
            """,
        help: "remove the route; nothing outside the cluster needs the DAC link",
        triggering: [
            RuleExample(
                replacing: "    dac_ip: 198.51.100.1\n", with: "    dac_ip: 198.51.100.1\n    advertise_routes: [↓198.51.100.0/24]\n"),
        ],
        nonTriggering: [
            .unchanged,
            RuleExample(replacing: "    dac_ip: 198.51.100.1\n", with: "    dac_ip: 198.51.100.1\n    advertise_routes: [10.20.0.0/16]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        let dac = context.topology.links.dac.subnet
        var findings: [RuleFinding] = []
        for node in context.topology.nodes {
            for (index, route) in node.advertiseRoutes.enumerated() where route.overlaps(dac) {
                findings.append(RuleFinding(
                    "node '\(node.name)' advertises \(route), which covers the DAC subnet \(dac)", at: node.path / "advertise_routes" / index))
            }
        }
        return findings
    }
}
