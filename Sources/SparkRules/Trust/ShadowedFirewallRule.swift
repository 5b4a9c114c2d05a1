import SparkDiagnostics
import SparkPlan
import SparkSpec

/// TR002: a topology firewall rule that an earlier generated deny cuts short.
struct ShadowedFirewallRule: Rule {
    let description = RuleDescription(
        id: "TR002",
        title: "a topology firewall rule does not do what it says",
        rationale: """
            ufw checks a packet against its rules in order and the first rule that matches decides \
            (ufw(8), ufw 0.36.2: "Rule ordering is important and the first match wins"). spark-gen writes its own rules first, among them denies that keep a \
            cross-owner link peer off ssh and the apps, and the topology's rules after them. An \
            'allow' whose sources include such a peer is therefore silently cut short: its text \
            says the port is open to those sources, ufw keeps some of them out, and an owner who \
            reads the rule (or trusts it) is wrong about who gets in. A rule whose effect differs \
            from its text is refused rather than reordered, because moving it ahead of the denies \
            would open ssh or an app to the other owner.
            """,
        help:
            "narrow 'from' (or set 'interface') so the rule leaves out the link peer the generated deny names; to admit a peer to one app, give that app an exposure to the peer instead",
        triggering: [
            RuleExample(.sparkPair, replacing: "    dac_second_ip: 198.51.100.9\n", with: "    dac_second_ip: 198.51.100.9\n    firewall: [{allow: ↓22}]\n"),
            RuleExample(
                .sparkPair, replacing: "    dac_second_ip: 198.51.100.9\n",
                with: "    dac_second_ip: 198.51.100.9\n    firewall: [{allow: ↓22, from: 198.51.100.0/30, interface: enp1s0f0np0}]\n"),
        ],
        nonTriggering: [
            .clean(.sparkPair),
            RuleExample(
                .sparkPair, replacing: "    dac_second_ip: 198.51.100.9\n",
                with: "    dac_second_ip: 198.51.100.9\n    firewall: [{allow: 22, from: 192.0.2.0/24}]\n"),
            RuleExample(
                .sparkPair, replacing: "    dac_second_ip: 198.51.100.9\n",
                with: "    dac_second_ip: 198.51.100.9\n    firewall: [{allow: 22, from: 198.51.100.2, proto: udp}, {allow: 9100, interface: enp1s0f0np0}]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for node in context.plan.nodes where !node.firewall.isEmpty {
            let generated = FirewallPlanner.generatedRules(for: node, in: context.plan)
            for extra in node.firewall {
                let wanted = FirewallPlanner.spec(extra)
                let cutting = generated.filter { $0.action == .deny && Self.overlaps($0, wanted) }
                guard let first = cutting.first else { continue }
                let kept = cutting.map { $0.source ?? "any" }
                let unique = kept.enumerated().filter { !kept[..<$0.offset].contains($0.element) }.map(\.element)
                findings.append(
                    RuleFinding(
                        "firewall rule \(extra.path) of '\(node.name)' allows \(extra.proto.rawValue) port \(extra.port) from \(extra.from?.description ?? "any"), but ufw's first match wins and the generated rule '\(first.comment)' comes first: \(unique.joined(separator: ", ")) stays denied, so the rule does not do what it says",
                        at: extra.path / "allow"))
            }
        }
        return findings
    }

    /// Whether some packet the allow names also matches the deny.
    static func overlaps(_ deny: FirewallRuleSpec, _ allow: FirewallRuleSpec) -> Bool {
        if let a = deny.interface, let b = allow.interface, a != b { return false }
        if let a = deny.port, let b = allow.port, a != b { return false }
        if let a = deny.proto, let b = allow.proto, a != b { return false }
        guard let a = deny.source.flatMap(network), let b = allow.source.flatMap(network) else {
            return true
        }
        return a.overlaps(b)
    }

    private static func network(_ text: String) -> IPv4Network? {
        IPv4Network(text) ?? IPv4Network("\(text)/32")
    }
}
