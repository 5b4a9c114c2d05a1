import SparkPlan

/// The README's section on how clients reach each LiteLLM: from the tailnet, from the node itself
/// and from the node's containers. LiteLLM binds 127.0.0.1 behind `tailscale serve`, so the URL a
/// hand-written stack gives every client (`http://<node>:4000`, document 004) works from other
/// tailnet devices only: on the node the name is not 127.0.0.1 (Debian and Ubuntu map the host
/// name to 127.0.1.1 in /etc/hosts; MagicDNS maps it to the tailnet address), and a container on a
/// bridge network has a loopback of its own. Docker's `host-gateway` (`host.docker.internal`) is
/// the bridge's gateway address on the host (docs.docker.com, dockerd `--host-gateway-ip`), where
/// nothing of this stack listens.
enum ClientAccessNote {
    static func section(_ plan: Plan) -> String {
        let gateways = plan.nodes.filter { $0.litellm != nil }
        guard !gateways.isEmpty else { return "" }
        var text = "\n## Clients\n\n"
        var decides: [String] = []
        for node in gateways {
            guard let litellm = node.litellm else { continue }
            // Where it listens and whom ufw admits come from its --host and its firewall rules.
            let reach = LiteLLMReach(plan, node, litellm)
            let local = "http://\(litellm.bindAddress):\(litellm.port)/v1"
            // What the tailnet reaches: NGINX in front of LiteLLM, or LiteLLM itself, through `tailscale serve`.
            let front = node.services.first { service in
                guard case .app(let app) = service.role, app == "nginx" || app == "litellm" else { return false }
                return service.exposure == .ownerTailnet
            }
            if reach.bindsEveryAddress {
                text += "LiteLLM of \(node.owner.name) on \(node.name) listens on every address (\(Service.everyAddress):\(litellm.port)), "
            } else {
                text += "LiteLLM of \(node.owner.name) on \(node.name) listens on \(litellm.bindAddress):\(litellm.port) only, "
            }
            text += "with the owner's master key (or a virtual key) as the bearer token:\n\n"
            if let front {
                let scheme = front.name == "nginx" ? "https" : "http"
                text += "- From a device of tailnet \(node.tailnet.name) that the policy admits: `\(scheme)://\(node.tailnetHostname):\(front.port)/v1` "
                if front.bindsEveryAddress {
                    text += "(it answers on the node's tailnet address itself: tailscaled accepts tailscale0 ahead of ufw, so the policy decides).\n"
                } else {
                    text += "(`tailscale serve` forwards the tailnet's port \(front.port) to \(front.bindAddress):\(front.port)).\n"
                }
            }
            for caller in reach.callers {
                text +=
                    "- From \(caller.name == caller.source ? caller.source : "\(caller.name) (\(caller.source))") \(caller.phrase), which ufw admits to this port: `\(caller.url)`.\n"
            }
            if reach.bindsEveryAddress {
                text += "- On \(node.name) itself: `\(local)`.\n"
                text += "- From a container on \(node.name): on the host network (`network_mode: host`, as this stack's own services run), `\(local)`. "
                text += "A container on a bridge network (compose's default) reaches the host at `host.docker.internal` "
                text += "(`extra_hosts: [\"host.docker.internal:host-gateway\"]`), the bridge's gateway address: LiteLLM listens there too, but "
                text += "ufw's default denies what arrives from the bridge. Run such a client with `network_mode: host`.\n\n"
                decides.append("LiteLLM on \(node.name) binds every address: \(reach.whoDecides).")
            } else {
                text += "- On \(node.name) itself: `\(local)`. Not `http://\(node.tailnetHostname):\(litellm.port)`: on the node its own name is "
                text += "127.0.1.1 (Debian's and Ubuntu's /etc/hosts) or its tailnet address, and LiteLLM listens on neither.\n"
                text += "- From a container on \(node.name): on the host network (`network_mode: host`, as this stack's own services run), `\(local)`. "
                text += "A container on a bridge network (compose's default) cannot reach it: its 127.0.0.1 is its own, and `host.docker.internal` "
                text += "(`extra_hosts: [\"host.docker.internal:host-gateway\"]`) is the bridge's gateway address, where LiteLLM does not listen. "
                text += "Run such a client with `network_mode: host`.\n\n"
            }
        }
        text += "This differs from a stack whose LiteLLM publishes its port on every address (the usual compose file, "
        text += "whose clients all call `http://<node>:4000`): Docker publishes a port ahead of the firewall, and a LiteLLM on every address "
        if decides.isEmpty {
            text += "answers the LAN. Here only the tailnet policy decides who reaches it from elsewhere. "
        } else {
            // A LiteLLM that binds every address runs on the host network: no port is published past ufw.
            let loopback = gateways.count - decides.count
            text += "answers the LAN. Here none publishes a port: "
            text += decides.joined(separator: " ")
            if loopback > 0 {
                text +=
                    " \(loopback == 1 ? "The other LiteLLM binds" : "The other LiteLLMs bind") 127.0.0.1: only the tailnet policy decides who reaches \(loopback == 1 ? "it" : "them") from elsewhere."
            }
            text += " "
        }
        text += "Each node's runbook ends with the other differences and why.\n"
        return text
    }
}
