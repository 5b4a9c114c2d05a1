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
            Artifact(path: Self.path(plan, host: host), contents: book(plan, host: host, backends: backends).markdown)
        }
    }

    /// The gateways that route a backend: the nodes whose LiteLLM lists it.
    static func gateways(_ plan: Plan, _ backend: BackendPlan) -> [NodePlan] {
        plan.gateways(routing: backend.name)
    }

    /// The host's runbook as typed steps (`RunbookWriter`), which `RunbookMarkdown` prints; its
    /// command blocks are PowerShell on a Windows host, sh otherwise.
    func book(_ plan: Plan, host: String, backends: [BackendPlan]) -> RunbookWriter {
        let first = backends[0]
        let windows = first.hostOS == .windows
        let shell: RunbookPart.Shell = windows ? .powershell : .sh
        var book = RunbookWriter()
        var text = "<!--\n" + Header(plan).lines.joined(separator: "\n") + "\n-->\n"
        text += "# \(host): runbook\n\n"
        text += "A machine spark-gen does not deploy to: it serves "
        text += backends.map { "backend **\($0.name)** (model `\($0.model)`) on port \($0.port)" }.joined(separator: ", ")
        text += " to the gateways of tailnet **\(first.tailnet)**, which reach it as `\(first.apiBase)`. "
        text += "The commands are for LM Studio on \(windows ? "Windows (PowerShell as Administrator)" : "Linux")"
        text += first.hostOS == nil ? " (the host gives no 'os'; write 'os: windows' under the host for PowerShell)" : ""
        text += ". The output's README.md says when each step runs.\n"
        book.introduction = text
        let keyed = backends.filter { $0.apiKey != nil }
        if !keyed.isEmpty {
            book.heading("API token", kind: .secrets)
            book.note(
                "In LM Studio (0.4.0 or newer): Developer, Server Settings, turn on Require Authentication; Manage Tokens, "
                    + "Create Token. LM Studio shows the token once. Each gateway's secrets step asks for it and keeps it in a file "
                    + "(the token never passes through spark-gen or this folder):")
            book.list(
                keyed.flatMap { backend -> [String] in
                    guard let key = backend.apiKey else { return [] }
                    return Self.gateways(plan, backend).map { "\($0.name): `\($0.absolute(key.file))` (`\(key.variable)`), for \(backend.name)" }
                })
        }
        book.heading("Join tailnet \(first.tailnet) with tag \(first.tag)", kind: .tailnet)
        book.note(
            "After the tailnet policy is applied (a node's 'Tailnet' step): it makes `\(first.tag)` a tag, owned by the tailnet's "
                + "admins, and grants the gateways' tag this host's port\(backends.count == 1 ? "" : "s"). Log in as an admin of the tailnet.")
        // Unattended on Windows: the server keeps its tailnet address with no one logged in.
        let join =
            windows
            ? "tailscale up --unattended --hostname=\(first.hostname) --advertise-tags=\(first.tag)"
            : "sudo tailscale up --hostname=\(first.hostname) --advertise-tags=\(first.tag)"
        book.commands([RunbookCommand(join), .check("tailscale ip -4")], shell: shell)
        if windows {
            book.note("`--unattended` keeps Tailscale up while no one is logged in to Windows, so the gateways reach the server after a reboot.")
        }
        book.heading(backends.count == 1 ? "Load the model with its slots" : "Load the models with their slots", kind: .model)
        book.note("Find each model's key with `lms ls`, then load it under the name the gateways ask for:")
        book.commands(
            backends.map { backend in
                RunbookCommand(
                    "lms load MODEL_KEY --identifier \(backend.model) --gpu max" + (backend.contextLength.map { " --context-length \($0)" } ?? ""))
            }, shell: shell)
        book.list(backends.map(slots))
        let ports = Array(Set(backends.map(\.port))).sorted()
        book.heading("Serve on the tailnet address only", kind: .model)
        book.note("`--bind` makes the server listen on the host's tailnet address alone, not on every interface:")
        book.commands(
            windows
                ? [RunbookCommand("$tailnetIP = tailscale ip -4")] + ports.map { RunbookCommand("lms server start --port \($0) --bind $tailnetIP") }
                : ports.map { RunbookCommand("lms server start --port \($0) --bind \"$(tailscale ip -4)\"") }, shell: shell)
        book.heading(windows ? "Windows Firewall: the tailnet only" : "Firewall: the tailnet only", kind: .firewall)
        if windows {
            book.note(
                "Admit the port from the tailnet's addresses on the Tailscale interface, and nothing else; Windows offers to allow "
                    + "LM Studio on private or public networks the first time it listens: decline, or disable that rule (Windows "
                    + "Defender Firewall, Inbound Rules), since it admits every port of the program from those networks.")
            book.commands(
                ports.map { port in
                    RunbookCommand(
                        "New-NetFirewallRule -DisplayName '\(plan.stackName): LM Studio \(port) from tailnet \(first.tailnet)' -Direction Inbound -Action Allow "
                            + "-Protocol TCP -LocalPort \(port) -InterfaceAlias Tailscale -RemoteAddress 100.64.0.0/10")
                }, shell: shell)
        } else {
            book.commands(ports.map { RunbookCommand("sudo ufw allow in on tailscale0 to any port \($0) proto tcp") }, shell: shell)
        }
        book.heading("Check from the gateway", kind: .verify)
        let gateways = Array(Set(backends.flatMap { Self.gateways(plan, $0).map(\.name) })).sorted {
            (plan.position(of: $0) ?? 0) < (plan.position(of: $1) ?? 0)
        }
        book.note(
            "`scripts/verify.sh` on \(gateways.isEmpty ? "the gateway" : gateways.joined(separator: " and ")) sends each backend a one-token completion "
                + "over the tailnet\(keyed.isEmpty ? "" : " with the token from its file, and checks that a request without the token is refused").")
        return book
    }

    /// The bullet on how many requests a backend's model runs at once, and who caps them.
    private func slots(_ backend: BackendPlan) -> String {
        guard let slots = backend.slots else {
            return "\(backend.model): the topology states no slots; LM Studio's loader decides how many requests run at once."
        }
        return "\(backend.model): Max Concurrent Predictions \(slots), in the model loader's advanced settings (the documented `lms load` "
            + "flags have none for it; load it from the app's loader with that setting if `lms load` does not keep it). "
            + (backend.maxParallelRequests.map { "The gateways send it at most \($0) requests at once and spill the next one down its fallbacks." }
                ?? "The gateways do not cap it.")
    }
}
