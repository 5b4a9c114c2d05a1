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
        for node in gateways {
            guard let litellm = node.litellm else { continue }
            let local = "http://\(litellm.bindAddress):\(litellm.port)/v1"
            // What the tailnet reaches: NGINX in front of LiteLLM, or LiteLLM itself, through `tailscale serve`.
            let front = node.services.first { service in
                guard case .app(let app) = service.role, app == "nginx" || app == "litellm" else { return false }
                return service.exposure == .ownerTailnet
            }
            text += "LiteLLM of \(node.owner.name) on \(node.name) listens on \(litellm.bindAddress):\(litellm.port) only, "
            text += "with the owner's master key (or a virtual key) as the bearer token:\n\n"
            if let front {
                let scheme = front.name == "nginx" ? "https" : "http"
                text += "- From a device of tailnet \(node.tailnet.name) that the policy admits: `\(scheme)://\(node.tailnetHostname):\(front.port)/v1` "
                text += "(`tailscale serve` forwards the tailnet's port \(front.port) to \(front.bindAddress):\(front.port)).\n"
            }
            text += "- On \(node.name) itself: `\(local)`. Not `http://\(node.tailnetHostname):\(litellm.port)`: on the node its own name is "
            text += "127.0.1.1 (Debian's and Ubuntu's /etc/hosts) or its tailnet address, and LiteLLM listens on neither.\n"
            text += "- From a container on \(node.name): on the host network (`network_mode: host`, as this stack's own services run), `\(local)`. "
            text += "A container on a bridge network (compose's default) cannot reach it: its 127.0.0.1 is its own, and `host.docker.internal` "
            text += "(`extra_hosts: [\"host.docker.internal:host-gateway\"]`) is the bridge's gateway address, where LiteLLM does not listen. "
            text += "Run such a client with `network_mode: host`.\n\n"
        }
        text += "This differs from a stack whose LiteLLM publishes its port on every address (the usual compose file, "
        text += "whose clients all call `http://<node>:4000`): Docker publishes a port ahead of the firewall, and a LiteLLM on every address "
        text += "answers the LAN. Here only the tailnet policy decides who reaches it from elsewhere. Each node's runbook ends with the other "
        text += "differences and why.\n"
        return text
    }
}
