import SparkDiagnostics
import SparkPlan
import SparkSpec

/// ST011: a share whose only user would be a tagged node of the receiving tailnet.
struct TaggedShareRule: Rule {
    let description = RuleDescription(
        id: "ST011",
        title: "a node of another tailnet calls a model over a share it cannot use",
        rationale: """
            A node is shared with users, never with tags or tagged devices ("Devices cannot be shared \
            with a tag or with another tagged device. Devices must be shared with other users.", \
            tailscale.com/kb/1084/sharing; tailscale/tailscale#5321 asks for tagged nodes to reach \
            shared nodes and is open; #11269: a device loses its shared-in machines once tagged). \
            Every node spark-gen deploys carries its tailnet's tag, so the LiteLLM of a node of the \
            receiving tailnet never reaches a model on the shared node, whatever the share and both \
            policies say: its routes to that model fail at connect. Only the receiving tailnet's \
            people, on their own untagged devices, can use a share.
            """,
        help: "put the calling node and the model's node on one tailnet (a node's 'tailnet:'), or call the model over a link or LAN both are on",
        triggering: [
            // The client shares spark-02's model port with you-net, whose tagged spark-01 calls it.
            RuleExample(
                .twoOwners,
                [
                    ("    master_key: {file: ~/.you-litellm.env}\n", "    master_key: {file: ~/.you-litellm.env}\n    models: [qwen3-30b, qwen3-4b]\n"),
                    (
                        "    users: [you@example.com]\n    ssh: true\n",
                        "    users: [you@example.com]\n    ssh: true\n    accept: [{from: client-net, nodes: [spark-02]}]\n"
                    ),
                    (
                        "    users: [client@example.com]\n    ssh: true\n",
                        "    users: [client@example.com]\n    ssh: true\n    share: [{with: ↓you-net, nodes: [spark-02], ports: [8000]}]\n"
                    ),
                    ("    user: client\n", "    user: client\n    tailnet_ip: 100.64.0.22\n"),
                    ("    node: spark-02\n", "    node: spark-02\n    listen: tailnet\n    api_key: {file: ~/.client-vllm.env}\n    shared_with: [you]\n"),
                ]),
            // No share at all: your LiteLLM calls a model on the client's tailnet.
            RuleExample(
                .twoOwners,
                [
                    ("    master_key: {file: ~/.you-litellm.env}\n", "    master_key: {file: ~/.you-litellm.env}\n    models: [qwen3-30b, qwen3-4b]\n"),
                    ("    user: client\n", "    user: client\n    tailnet_ip: 100.64.0.22\n"),
                    ("    node: spark-02\n", "    node: spark-02\n    listen: ↓tailnet\n    api_key: {file: ~/.client-vllm.env}\n    shared_with: [you]\n"),
                ]),
        ],
        nonTriggering: [.clean(.twoOwners), .clean(.gateway)])

    func check(_ context: RuleContext) -> [RuleFinding] {
        let plan = context.plan
        var findings: [RuleFinding] = []
        for cluster in plan.clusters where cluster.listen == .tailnet {
            guard let head = plan.node(named: cluster.head.name) else { continue }
            let callers = plan.nodes.filter { node in
                node.name != head.name && node.tailnet.name != head.tailnet.name
                    && (node.litellm?.routes.contains { $0.servedName == cluster.servedName } ?? false)
            }
            for caller in callers {
                let share = plan.tailnet(named: head.tailnet.name)?.shares.first {
                    $0.tailnet == caller.tailnet.name && $0.nodes.contains(head.name)
                }
                let why =
                    "'\(caller.name)' carries \(caller.tailnet.tag), and a node is shared with users, never with tagged devices (tailscale.com/kb/1084/sharing, tailscale/tailscale#5321)"
                if let share {
                    findings.append(
                        RuleFinding(
                            "tailnet '\(head.tailnet.name)' shares '\(head.name)' with '\(caller.tailnet.name)', whose node '\(caller.name)' calls model '\(cluster.name)' there through the share, which it cannot use: \(why)",
                            at: share.path / "with"))
                } else {
                    findings.append(
                        RuleFinding(
                            "the LiteLLM on '\(caller.name)' (tailnet '\(caller.tailnet.name)') calls model '\(cluster.name)' on the tailnet '\(head.tailnet.name)' of '\(head.name)', which it is no device of; no share can admit it: \(why)",
                            at: cluster.path / "listen"))
                }
            }
        }
        return findings
    }
}
