import SparkDiagnostics
import SparkSpec

/// ST003: apps are reachable from their owner's tailnet only.
struct AppExposureRule: Rule {
    let description = RuleDescription(
        id: "ST003",
        title: "apps are reachable from their owner's tailnet only",
        rationale: """
            LiteLLM, Open WebUI, n8n, Hermes WebUI and the LiteLLM database hold an owner's keys, chats \
            and workflows. spark-gen binds them to 127.0.0.1 and exposes them with 'tailscale serve', \
            which the owner's tailnet policy governs, and never publishes Docker ports (a published port \
            is DNAT'ed before ufw's INPUT chain and so is open on every interface). Binding an app to \
            another address, or opening its port on the mgmt LAN or every interface, hands it to \
            whoever shares that network, the other owner included.
            """,
        help: "remove 'listen' so the app binds 127.0.0.1, and open app ports on tailscale0 only",
        triggering: [
            RuleExample(.oneSpark, replacing: "    apps: [litellm]\n", with: "    apps: [litellm, {open-webui: {listen: ↓0.0.0.0}}]\n"),
            RuleExample(.oneSpark, replacing: "    apps: [litellm]\n", with: "    apps: [litellm]\n    firewall: [{allow: ↓8001}]\n"),
            RuleExample(.oneSpark, replacing: "    apps: [litellm]\n", with: "    apps: [litellm]\n    firewall: [{allow: 8001, interface: ↓enP7s7}]\n"),
        ],
        nonTriggering: [
            .clean(.oneSpark),
            RuleExample(.oneSpark, replacing: "    apps: [litellm]\n", with: "    apps: [litellm, {open-webui: {listen: 127.0.0.1}}]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for node in context.plan.nodes {
            var appPorts: [Int: App] = [:]
            for app in node.apps {
                if let port = node.port(of: app) { appPorts[port] = app }
                guard let options = node.options(of: app), let listen = options.listen, listen.description != "127.0.0.1" else { continue }
                let reach = listen.description == "0.0.0.0" ? "every interface, the mgmt LAN and the DAC included" : "\(listen)"
                findings.append(
                    RuleFinding(
                        "app \(app.rawValue) on node '\(node.name)' would listen on \(reach) instead of 127.0.0.1",
                        at: options.path / "listen"))
            }
            for rule in node.firewall {
                guard let app = appPorts[rule.port], rule.interface != "tailscale0" else { continue }
                let place = rule.interface.map { "on \($0)" } ?? "on every interface"
                findings.append(
                    RuleFinding(
                        "a firewall rule of node '\(node.name)' opens port \(rule.port) (\(app.rawValue)) \(place), outside the owner's tailnet",
                        at: rule.path / (rule.interface == nil ? "allow" : "interface")))
            }
        }
        return findings
    }
}
