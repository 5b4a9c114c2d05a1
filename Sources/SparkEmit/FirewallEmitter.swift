import SparkPlan

/// `scripts/firewall.sh` for each node: the ufw rules that make the DAC and mgmt interfaces
/// carry only what the plan allows.
///
/// ufw is defence in depth, not the control for the tailnet: tailscaled accepts everything
/// arriving on tailscale0 ahead of ufw's chains, so there the tailnet policy and the loopback
/// bind addresses do the work. On the DAC and mgmt links ufw is what stops a neighbour that
/// routes to any of the node's addresses (Linux answers on every interface for every address).
struct FirewallEmitter {
    func artifacts(for plan: Plan) -> [Artifact] {
        plan.nodes.map { node in
            Artifact(path: Layout.stackFile(node, "scripts/firewall.sh"), contents: script(plan, node), mode: .executable)
                .marked { marks in
                    for lan in node.lans { marks.block("case ", [lan.path, lan.link.path]) }
                    let rules = FirewallPlanner.rules(for: node, in: plan)
                    for (rule, paths) in zip(rules, FirewallOrigins(plan: plan, node: node).paths(of: rules)) {
                        marks.line(Self.command(rule), paths)
                    }
                }
        }
    }

    /// The ufw command for one planned rule, with the comment ufw stores beside it.
    static func command(_ rule: FirewallRuleSpec) -> String {
        var words = ["ufw", rule.action.rawValue, "in"]
        if let interface = rule.interface { words += ["on", interface] }
        if let source = rule.source { words += ["from", source] }
        words += ["to", rule.destination ?? "any"]
        if let port = rule.port { words += ["port", String(port)] }
        if let proto = rule.proto { words += ["proto", proto] }
        words += ["comment", Shell.quote(rule.comment)]
        return words.joined(separator: " ")
    }

    /// Where the script records which version of itself ufw last applied in full: ufw's own
    /// directory, which it keeps across a reset. A run refused by a check above leaves ufw and
    /// the record of the last complete run as they are; a run cut short after the reset leaves
    /// none. Either way the playbook, which compares the record with the script, runs the script
    /// again on its next run instead of only when it changes.
    static let appliedRecord = "/etc/ufw/spark-gen-firewall.sha256"

    /// Whether every rule that admits ssh is on tailscale0 (a node with no LAN): then the
    /// firewall may only go up once the node has joined its tailnet.
    static func admitsSSHOnlyOnTailnet(_ rules: [FirewallRuleSpec]) -> Bool {
        let ssh = rules.filter { $0.action == .allow && ($0.port == 22 || $0.port == nil) && $0.proto != "udp" }
        return !ssh.isEmpty && ssh.allSatisfy { $0.interface == FirewallPlanner.tailscaleInterface }
    }

    private func script(_ plan: Plan, _ node: NodePlan) -> String {
        let header = Header(
            plan, node: node.name,
            about: [
                "Host firewall of \(node.name). Resets ufw to exactly these rules, so rules pasted by hand",
                "earlier (an 'allow 8001' on every interface, say) do not survive.",
                "tailscaled accepts tailscale0 traffic before ufw: the tailnet policy guards that interface.",
                "Run as root: sudo \(Layout.stackPath(node, "scripts/firewall.sh"))",
            ])
        var script = ""
        // ssh comes in only to the LAN addresses: on a machine that lacks one (a typo, a new DHCP
        // lease) the reset would shut out every new ssh connection, so the script stops first.
        for lan in node.lans {
            let address = lan.address.description
            // A case, not a pipe into grep -q: under pipefail, ip killed by SIGPIPE would read as "absent".
            script += "case \"$(ip -4 -o addr show)\" in\n  *\(Shell.quote(" \(address)/"))*) ;;\n"
            script +=
                "  *)\n    echo \(Shell.quote("no interface of this machine has \(address), the address of \(node.name) on \(lan.link.phrase): ufw is left as it is")) >&2\n"
            script += "    exit 1\n    ;;\nesac\n"
        }
        let rules = FirewallPlanner.rules(for: node, in: plan)
        if Self.admitsSSHOnlyOnTailnet(rules) {
            // ssh comes in on tailscale0 alone: before the node joined its tailnet (no address
            // there yet) the reset would cut the ssh session that runs this, and every later one.
            let tailnet = FirewallPlanner.tailscaleInterface
            script += "if [ -z \"$(ip -4 -o addr show dev \(tailnet) 2>/dev/null)\" ]; then\n"
            script +=
                "  echo \(Shell.quote("\(tailnet) has no IPv4 address: \(node.name) admits ssh only over tailnet \(node.tailnet.name), so this firewall would cut the ssh path in use now")) >&2\n"
            script +=
                "  echo \(Shell.quote("join the tailnet first (\(Layout.stackPath(node, "scripts/tailscale-up.sh")), the runbook's Tailnet step), then run this again: ufw is left as it is")) >&2\n"
            script += "  exit 1\nfi\n"
        }
        if !node.lans.isEmpty || Self.admitsSSHOnlyOnTailnet(rules) { script += "\n" }
        // From here ufw is changing: a run cut short leaves no record, so the playbook runs it again.
        script += "rm -f \(Self.appliedRecord)\n"
        script += "ufw --force reset\n"
        script += "ufw default deny incoming\n"
        script += "ufw default allow outgoing\n"
        for rule in rules {
            script += Self.command(rule) + "\n"
        }
        script += "ufw --force enable\n"
        script += "# Which script ufw now holds, for the playbook: a refused run keeps the old record, a cut-short one has none.\n"
        script += "sha256sum \"$(readlink -f \"$0\")\" >\(Self.appliedRecord)\n"
        script += "ufw status verbose\n"
        return ShellScript(header: header, rootExitStatus: 1, body: script).text
    }
}
