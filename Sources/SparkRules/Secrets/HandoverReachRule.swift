import SparkDiagnostics
import SparkPlan
import SparkSpec

/// SC008: the operator's machine reaches both ends of every copied secret over ssh.
///
/// The runbook hands a copied secret over (a worker's Ray token, a tailnet model's key) from the
/// operator's machine, in the holder's 'Secrets from other nodes' step, right after its firewall
/// step: by then the source has run its own first pass (its firewall, and its tailnet when it is
/// on no LAN), so the reachability of the generated firewalls and policies is the state the copy
/// meets. The operator stands on the node's first LAN, the address the runbook's ssh targets
/// use, or, for a node on no LAN, at a device of its tailnet's users.
struct HandoverReachRule: Rule {
    let description = RuleDescription(
        id: "SC008",
        title: "every copied secret can be handed over",
        rationale: """
            A node that copies a secret from another (a worker's Ray token, the key of a model on the \
            tailnet) gets it in its 'Secrets from other nodes' step, piped from the operator's machine: \
            `ssh SOURCE cat FILE` into the holder. ufw denies ssh unless the generated firewall admits \
            it (from the node's LANs, and on tailscale0 when the tailnet grants ssh), and tailscaled \
            applies the tailnet policy ahead of ufw. When the operator cannot reach either end, the \
            copy fails and the model that needs the secret does not start (a Ray worker without the \
            head's token, or a LiteLLM that calls a keyed model without the key and gets 401).
            """,
        help: "put the node on a LAN you ssh from (links, kind: lan), or set 'ssh: true' on its tailnet",
        triggering: [
            RuleExample(
                .gateway,
                [
                    ("    ssh: true\n", "    ssh: false\n"),
                    ("    api_key: {file: ~/.lab-spark-vllm.env}\n", "    api_key: ↓{file: ~/.lab-spark-vllm.env}\n"),
                ])
        ],
        nonTriggering: [.clean(.gateway), .clean(.catalog)])

    func check(_ context: RuleContext) -> [RuleFinding] {
        let copies = CopiedSecret.all(in: context.plan)
        guard !copies.isEmpty else { return [] }
        let neighbours = Reachability.lanNeighbours(context.plan)
        // A head's token is copied by every worker: each node is evaluated once.
        var reached: [String: Bool] = [:]
        func reaches(_ node: NodePlan) -> Bool {
            if let known = reached[node.name] { return known }
            let answer = CopiedSecret.operatorReaches(node, in: context.plan, lanNeighbours: neighbours)
            reached[node.name] = answer
            return answer
        }
        return copies.compactMap { copy -> RuleFinding? in
            let unreachable = [copy.source, copy.holder].filter { !reaches($0) }
            guard !unreachable.isEmpty else { return nil }
            let ends = unreachable.map { end in
                "'\(end.name)' (" + (end.lan.map { "from \($0.link.phrase)" } ?? "over tailnet '\(end.tailnet.name)', which grants no ssh") + ")"
            }
            return RuleFinding(
                "node '\(copy.holder.name)' copies \(copy.sourcePath) from node '\(copy.source.name)', but the operator's machine "
                    + "cannot reach \(ends.joined(separator: " or ")) over ssh once the firewall is up: the copy would fail",
                at: copy.path)
        }
    }
}
