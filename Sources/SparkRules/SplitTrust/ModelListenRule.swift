import SparkDiagnostics
import SparkPlan
import SparkSpec

/// ST001: the unauthenticated vLLM API never listens on a wildcard or a non-DAC address.
struct ModelListenRule: Rule {
    let description = RuleDescription(
        id: "ST001",
        title: "the vLLM API listens on the DAC address or loopback, or for a catalog's panel on the LAN",
        rationale: """
            vLLM's API has no authentication. tailscaled accepts everything arriving on tailscale0 ahead \
            of ufw's chains, so a listener on 0.0.0.0 is reachable from the tailnet whatever ufw says, \
            and one on the mgmt address is reachable from the whole management LAN. Bound to the DAC \
            address it is reachable only over the private cluster link, where the firewall admits the \
            DAC peer alone. A model other nodes call over the tailnet listens on its head's tailnet \
            address with a key (VLLM_API_KEY), and the tailnet policy grants that port to the tailnet's \
            tag, never to its users. A catalog whose spark-control panel polls it from the LAN listens on the head's \
            address there, and the firewall admits the panel's address alone: the rest of the LAN, the \
            tailnet and the DAC peers are refused.
            """,
        help: "remove 'listen' (spark-gen binds the head's DAC address) or set it to dac",
        triggering: [
            RuleExample(.sparkPair, replacing: "    port: 8000\n", with: "    port: 8000\n    listen: ↓0.0.0.0\n"),
            RuleExample(.sparkPair, replacing: "    port: 8000\n", with: "    port: 8000\n    listen: ↓192.0.2.21\n"),
        ],
        nonTriggering: [
            .clean(.sparkPair), RuleExample(.sparkPair, replacing: "    port: 8000\n", with: "    port: 8000\n    listen: dac\n"),
            .clean(.catalog),
            // On the tailnet with a key: the policy grants the tailnet's tag alone the port.
            RuleExample(
                .amdBox,
                [
                    (
                        "    apps: [{litellm: {runner: compose, port: 4000}}]\n",
                        "    apps: [{litellm: {runner: compose, port: 4000}}]\n    tailnet_ip: 100.64.0.10\n"
                    ),
                    (
                        "    vllm: {gpu_memory_utilization: 0.20, max_model_len: 32768}\n",
                        "    vllm: {gpu_memory_utilization: 0.20, max_model_len: 32768}\n    listen: tailnet\n    api_key: {file: ~/.qwen-vllm.env}\n"
                    ),
                ]),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.compactMap { cluster -> RuleFinding? in
            let host = cluster.apiHost
            guard host != PlanResolver.loopback, host != cluster.headAddress?.description else { return nil }
            // The panel's LAN address, which the firewall opens to the panel alone (FirewallPlanner).
            if let catalog = cluster.catalog, catalog.panel != nil, host == catalog.apiHost { return nil }
            // The head's tailnet address with a key: the policy grants the tailnet's tag alone (TailnetPolicyPlanner).
            if cluster.listen == .tailnet, cluster.apiKey != nil, host == cluster.head.tailnetIP?.description { return nil }
            let expected = cluster.link.map { link in "the address \(cluster.headAddress!) of '\(cluster.head.name)' on \(link.phrase)" } ?? "loopback"
            let reach =
                host == Service.everyAddress
                ? "every interface of '\(cluster.head.name)', the tailnet and its LANs included"
                : "\(host), not \(expected)"
            return RuleFinding(
                "the unauthenticated vLLM API of model '\(cluster.name)' would listen on \(reach)",
                at: cluster.path / "listen")
        }
    }
}
