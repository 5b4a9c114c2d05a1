import SparkPlan
import SparkSpec

/// `hosts/<host>/<stack>/RUNBOOK.md` for each tailnet host that serves a backend (document 003's
/// LM Studio on win-5090): the steps spark-gen can state for a machine it does not deploy to.
///
/// The host joins the tailnet with the tag the policy grants the gateways' port to; LM Studio
/// loads the model with the slots the gateway caps it at and serves on the tailnet address only,
/// behind a token; the host's own firewall admits the port from the tailnet alone. Sources:
/// tailscale.com/kb/1080/cli (`tailscale up --advertise-tags`, `--hostname`),
/// tailscale.com/kb/1088/run-unattended (Windows keeps the tailnet up with no one logged in);
/// lmstudio.ai/docs/cli/load (`--identifier`, `--context-length`, `--gpu`),
/// lmstudio.ai/docs/app/advanced/parallel-requests (Max Concurrent Predictions, the loader's
/// setting for parallel requests), lmstudio.ai/docs/cli/server-start (`--port`),
/// lmstudio.ai/docs/developer/core/server/serve-on-network (`--bind`),
/// lmstudio.ai/docs/developer/core/authentication (tokens, LM Studio 0.4.0 and newer);
/// learn.microsoft.com/powershell/module/netsecurity/new-netfirewallrule.
struct BackendHostEmitter {
    static let fileName = "RUNBOOK.md"

    /// Where a host's runbook lands in the output tree.
    static func path(_ plan: Plan, host: String) -> String { "hosts/\(host)/\(plan.stackName)/\(fileName)" }

    /// The hosts serving a backend, each once, in the order of their backends.
    static func hosts(_ plan: Plan) -> [(host: String, backends: [BackendPlan])] {
        var order: [String] = []
        var byHost: [String: [BackendPlan]] = [:]
        for backend in plan.backends {
            if byHost[backend.host] == nil { order.append(backend.host) }
            byHost[backend.host, default: []].append(backend)
        }
        return order.map { ($0, byHost[$0] ?? []) }
    }

    func artifacts(for plan: Plan) -> [Artifact] {
        Self.hosts(plan).map { host, backends in
            Artifact(path: Self.path(plan, host: host), contents: runbook(plan, host: host, backends: backends))
        }
    }

    /// The gateways that route a backend: the nodes whose LiteLLM lists it.
    static func gateways(_ plan: Plan, _ backend: BackendPlan) -> [NodePlan] {
        plan.gateways(routing: backend.name)
    }

    private func runbook(_ plan: Plan, host: String, backends: [BackendPlan]) -> String {
        let first = backends[0]
        let windows = first.hostOS == .windows
        let shell = windows ? "powershell" : "sh"
        var text = "<!--\n" + Header(plan).lines.joined(separator: "\n") + "\n-->\n"
        text += "# \(host): runbook\n\n"
        text += "A machine spark-gen does not deploy to: it serves "
        text += backends.map { "backend **\($0.name)** (model `\($0.model)`) on port \($0.port)" }.joined(separator: ", ")
        text += " to the gateways of tailnet **\(first.tailnet)**, which reach it as `\(first.apiBase)`. "
        text += "The commands are for LM Studio on \(windows ? "Windows (PowerShell as Administrator)" : "Linux")"
        text += first.hostOS == nil ? " (the host gives no 'os'; write 'os: windows' under the host for PowerShell)" : ""
        text += ". The output's README.md says when each step runs.\n"
        var step = 0
        func heading(_ title: String) -> String {
            step += 1
            return "\n## \(step). \(title)\n\n"
        }
        let keyed = backends.filter { $0.apiKey != nil }
        if !keyed.isEmpty {
            text += heading("API token")
            text += "In LM Studio (0.4.0 or newer): Developer, Server Settings, turn on Require Authentication; Manage Tokens, "
            text += "Create Token. LM Studio shows the token once. Each gateway's secrets step asks for it and keeps it in a file "
            text += "(the token never passes through spark-gen or this folder):\n\n"
            for backend in keyed {
                guard let key = backend.apiKey else { continue }
                for gateway in Self.gateways(plan, backend) {
                    text += "- \(gateway.name): `\(gateway.absolute(key.file))` (`\(key.variable)`), for \(backend.name)\n"
                }
            }
        }
        text += heading("Join tailnet \(first.tailnet) with tag \(first.tag)")
        text += "After the tailnet policy is applied (a node's 'Tailnet' step): it makes `\(first.tag)` a tag, owned by the tailnet's "
        text += "admins, and grants the gateways' tag this host's port\(backends.count == 1 ? "" : "s"). Log in as an admin of the tailnet.\n\n"
        text += "```\(shell)\n"
        if windows {
            // Unattended: the server keeps its tailnet address with no one logged in to Windows.
            text += "tailscale up --unattended --hostname=\(first.hostname) --advertise-tags=\(first.tag)\n"
        } else {
            text += "sudo tailscale up --hostname=\(first.hostname) --advertise-tags=\(first.tag)\n"
        }
        text += "tailscale ip -4\n```\n"
        if windows {
            text += "\n`--unattended` keeps Tailscale up while no one is logged in to Windows, so the gateways reach the server after a reboot.\n"
        }
        text += heading(backends.count == 1 ? "Load the model with its slots" : "Load the models with their slots")
        text += "Find each model's key with `lms ls`, then load it under the name the gateways ask for:\n\n```\(shell)\n"
        for backend in backends {
            var line = "lms load MODEL_KEY --identifier \(backend.model) --gpu max"
            if let context = backend.contextLength { line += " --context-length \(context)" }
            text += line + "\n"
        }
        text += "```\n\n"
        for backend in backends {
            if let slots = backend.slots {
                text += "- \(backend.model): Max Concurrent Predictions \(slots), in the model loader's advanced settings (the documented `lms load` "
                text += "flags have none for it; load it from the app's loader with that setting if `lms load` does not keep it). "
                text +=
                    backend.maxParallelRequests.map { "The gateways send it at most \($0) requests at once and spill the next one down its fallbacks.\n" }
                    ?? "The gateways do not cap it.\n"
            } else {
                text += "- \(backend.model): the topology states no slots; LM Studio's loader decides how many requests run at once.\n"
            }
        }
        let ports = Array(Set(backends.map(\.port))).sorted()
        text += heading("Serve on the tailnet address only")
        text += "`--bind` makes the server listen on the host's tailnet address alone, not on every interface:\n\n```\(shell)\n"
        if windows {
            text += "$tailnetIP = tailscale ip -4\n"
            for port in ports { text += "lms server start --port \(port) --bind $tailnetIP\n" }
        } else {
            for port in ports { text += "lms server start --port \(port) --bind \"$(tailscale ip -4)\"\n" }
        }
        text += "```\n"
        text += heading(windows ? "Windows Firewall: the tailnet only" : "Firewall: the tailnet only")
        if windows {
            text += "Admit the port from the tailnet's addresses on the Tailscale interface, and nothing else; Windows offers to allow "
            text += "LM Studio on private or public networks the first time it listens: decline, or disable that rule (Windows "
            text += "Defender Firewall, Inbound Rules), since it admits every port of the program from those networks.\n\n```powershell\n"
            for port in ports {
                text +=
                    "New-NetFirewallRule -DisplayName '\(plan.stackName): LM Studio \(port) from tailnet \(first.tailnet)' -Direction Inbound -Action Allow "
                text += "-Protocol TCP -LocalPort \(port) -InterfaceAlias Tailscale -RemoteAddress 100.64.0.0/10\n"
            }
            text += "```\n"
        } else {
            text += "```sh\n"
            for port in ports { text += "sudo ufw allow in on tailscale0 to any port \(port) proto tcp\n" }
            text += "```\n"
        }
        text += heading("Check from the gateway")
        let gateways = Array(Set(backends.flatMap { Self.gateways(plan, $0).map(\.name) })).sorted {
            (plan.position(of: $0) ?? 0) < (plan.position(of: $1) ?? 0)
        }
        text += "`scripts/verify.sh` on \(gateways.isEmpty ? "the gateway" : gateways.joined(separator: " and ")) sends each backend a one-token completion "
        text += "over the tailnet\(keyed.isEmpty ? "" : " with the token from its file, and checks that a request without the token is refused").\n"
        return text
    }
}
