import SparkPlan

/// Where a node's LiteLLM listens and whom its firewall admits to it from outside the tailnet,
/// read from the plan's LiteLLM `--host` and the rules firewall.sh writes (`FirewallPlanner`),
/// so the README and the runbook say what the node does: a gateway offered over a LAN binds
/// every address and ufw admits the other owner's gateway, which no "binds 127.0.0.1" sentence
/// may hide.
struct LiteLLMReach {
    /// One caller the firewall admits to the LiteLLM port off the tailnet.
    struct Caller {
        /// The node or named host at the rule's source address, else the address itself.
        let name: String
        let source: String
        /// The URL it calls: the node's address the rule admits it to.
        let url: String
        /// "over LAN home".
        let phrase: String
    }

    let bindsEveryAddress: Bool
    let port: Int
    let callers: [Caller]

    init(_ plan: Plan, _ node: NodePlan, _ litellm: LiteLLMPlan) {
        bindsEveryAddress = litellm.listenAddress == Service.everyAddress
        port = litellm.port
        var callers: [Caller] = []
        for rule in FirewallPlanner.rules(for: node, in: plan)
        where rule.action == .allow && rule.port == litellm.port && rule.interface != FirewallPlanner.tailscaleInterface {
            guard let source = rule.source, let destination = rule.destination,
                let own = node.interfaces.first(where: { $0.address.description == destination })
            else { continue }
            let name =
                plan.nodes.first { $0.interfaces.contains { $0.address.description == source } }?.name
                ?? plan.hosts.first { $0.interfaces.contains { $0.address.description == source } }?.name
                ?? source
            callers.append(Caller(name: name, source: source, url: "http://\(destination):\(litellm.port)/v1", phrase: "over \(own.link.phrase)"))
        }
        self.callers = callers
    }

    /// "box3090 (192.168.1.30)", "box3090 (192.168.1.30) and nas (192.168.1.40)".
    var callerList: String {
        let names = callers.map { $0.name == $0.source ? $0.source : "\($0.name) (\($0.source))" }
        return names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }

    /// Who reaches a LiteLLM that binds every address from elsewhere: ufw's callers, and the
    /// tailnet policy on tailscale0.
    var whoDecides: String {
        let admitted = callers.isEmpty ? "ufw admits no other machine to its port" : "ufw admits \(callerList) alone to its port off the tailnet"
        return "\(admitted), and the tailnet policy decides on tailscale0, which tailscaled accepts ahead of ufw"
    }
}
