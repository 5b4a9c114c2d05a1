import SparkPlan

/// An ssh key that spark-gen installs, or tells the operator to install, on a node, and the
/// forced command that limits it. A key in `authorized_keys` is code execution as that user, and
/// a user in the docker group is root; port forwarding reaches the node's loopback and its DAC.
/// So every such key gets `restrict` (no forwarding, no pty, no ~/.ssh/rc), `from=` (the
/// holder's address) and `command=` (this gate), as sshd(8), AUTHORIZED_KEYS FILE FORMAT,
/// describes them: sshd runs the command whatever the client asked and puts the request in
/// SSH_ORIGINAL_COMMAND.
///
/// The gate runs a request only when it is, character for character, one of the lines it was
/// generated with, and then with fixed arguments: no shell ever reads the request, so `;`,
/// `&&`, `$( )`, a newline or `..` only make it a line it does not know.
public struct SSHGate: Sendable {
    /// One request the key may make: the line the client sends and what the gate runs for it.
    public struct Command: Sendable {
        public let argv: [String]
        public let purpose: String
        /// The line as the client sends it (and swap.sh and models.yaml write it).
        public var line: String { argv.map(Shell.quote).joined(separator: " ") }
    }

    /// The node whose `authorized_keys` holds the key.
    public let node: NodePlan
    /// Who holds the private key: a node (a catalog's head) or a host (the panel).
    public let holder: String
    /// The holder in words, for the runbook and `trust`.
    public let holderPhrase: String
    /// The holder's address, for `from=`.
    public let from: String
    public let commands: [Command]

    /// `scripts/ssh-gate-<holder>.sh` in the node's stack.
    public var script: String { "scripts/ssh-gate-\(holder).sh" }
    public var scriptPath: String { Layout.stackPath(node, script) }
    /// The options that go before the key on its `authorized_keys` line.
    public var keyOptions: String { "restrict,from=\"\(from)\",command=\"\(scriptPath)\"" }

    /// Every gated key of the plan: the panel's key on each catalog node it runs commands on,
    /// and each catalog head's key on its workers.
    public static func gates(in plan: Plan) -> [SSHGate] {
        var gates: [SSHGate] = []
        for catalog in plan.catalogs {
            guard let head = plan.node(named: catalog.head) else { continue }
            if let panel = catalog.panel, let link = catalog.panelLink, let address = panel.interface(on: link)?.address {
                for node in plan.nodes(of: catalog) {
                    let commands = panelCommands(plan, catalog, on: node, head: head)
                    guard !commands.isEmpty else { continue }
                    gates.append(
                        SSHGate(
                            node: node, holder: panel.name, holderPhrase: "the spark-control panel on host \(panel.name)",
                            from: address.description, commands: commands))
                }
            }
            for worker in plan.nodes(of: catalog) where worker.name != head.name {
                guard let address = head.sharedLAN(with: worker)?.address else { continue }
                gates.append(
                    SSHGate(
                        node: worker, holder: head.name, holderPhrase: "\(head.user)@\(head.name), for its scripts/swap.sh",
                        from: address.description, commands: swapCommands(plan, catalog, on: worker)))
            }
        }
        // One key of one holder on a node, whatever the number of catalogs it serves there.
        var merged: [SSHGate] = []
        for gate in gates {
            if let index = merged.firstIndex(where: { $0.node.name == gate.node.name && $0.holder == gate.holder }) {
                let known = Set(merged[index].commands.map(\.line))
                let commands = merged[index].commands + gate.commands.filter { !known.contains($0.line) }
                merged[index] = SSHGate(node: gate.node, holder: gate.holder, holderPhrase: gate.holderPhrase, from: gate.from, commands: commands)
            } else {
                merged.append(gate)
            }
        }
        return merged
    }

    /// The gates installed on one node.
    public static func gates(in plan: Plan, on node: NodePlan) -> [SSHGate] {
        gates(in: plan).filter { $0.node.name == node.name }
    }

    /// What the panel runs over ssh (document 002): swap to a catalog entry and follow a
    /// model's logs on the head; read a worker's logs; restart a speech service where it runs.
    static func panelCommands(_ plan: Plan, _ catalog: CatalogPlan, on node: NodePlan, head: NodePlan) -> [Command] {
        let members = catalog.members.compactMap { plan.cluster(ofModel: $0) }
        var commands: [Command] = []
        if node.name == head.name {
            let swap = Layout.stackPath(head, CatalogEmitter.swapScript)
            commands += members.map { Command(argv: [swap, $0.name], purpose: "swap to \($0.name)") }
            commands += members.map { Command(argv: Self.logs(lines: 200, $0.headContainer), purpose: "read the logs of \($0.name)") }
        }
        for member in members where member.workers.contains(where: { $0.name == node.name }) {
            commands.append(Command(argv: Self.logs(lines: 200, member.workerContainer), purpose: "read the logs of \(member.name)'s worker"))
        }
        for app in CatalogEmitter.speechApps(plan, catalog) where app.node.name == node.name {
            let compose = Layout.stackPath(node, ComposeEmitter.fileName)
            commands.append(Command(argv: ["docker", "compose", "-f", compose, "restart", app.service], purpose: "restart \(app.service)"))
        }
        return commands
    }

    /// What scripts/swap.sh of the catalog runs on a worker, and nothing else.
    static func swapCommands(_ plan: Plan, _ catalog: CatalogPlan, on worker: NodePlan) -> [Command] {
        var commands = [Command(argv: ["true"], purpose: "check that the worker answers before anything stops")]
        let vllm = VLLMEmitter()
        for member in catalog.members.compactMap({ plan.cluster(ofModel: $0) }) where member.workers.contains(where: { $0.name == worker.name }) {
            let container = member.workerContainer
            commands.append(Command(argv: ["docker", "rm", "-f", container], purpose: "stop \(member.name)'s worker"))
            if let role = worker.clusterRoles.first(where: { $0.kind == .worker && $0.cluster.name == member.name }) {
                let script = Layout.stackPath(worker, "scripts/\(vllm.scriptBase(role, in: worker)).sh")
                commands.append(Command(argv: [script], purpose: "start \(member.name)'s worker"))
            }
            commands.append(Command(argv: Self.state(container), purpose: "read the state of \(member.name)'s worker"))
            commands.append(Command(argv: Self.logs(lines: 50, container), purpose: "read the last lines of \(member.name)'s worker"))
        }
        var seen = Set<String>()
        return commands.filter { seen.insert($0.line).inserted }
    }

    /// `docker inspect` of what tells a container that failed at start from one that runs: a
    /// container in restart back-off reads State.Running=true (moby container/state.go,
    /// SetRestarting), so swap.sh reads Status and RestartCount instead.
    static func state(_ container: String) -> [String] {
        ["docker", "inspect", "-f", "{{.State.Status}} {{.RestartCount}}", container]
    }

    static func logs(lines: Int, _ container: String) -> [String] { ["docker", "logs", "--tail", String(lines), container] }

    /// `scripts/ssh-authorize.sh` on a node with gates: installs a holder's public key with its
    /// gate's options, in place of any earlier line of the same key (an ungated one included).
    static let authorizeScript = "scripts/ssh-authorize.sh"

    static func renderAuthorize(_ plan: Plan, _ node: NodePlan, _ gates: [SSHGate]) -> String {
        let holders = gates.map(\.holder)
        let header = Header(
            plan, node: node.name,
            about: [
                "Installs the public key of HOLDER (read on stdin, one line) in ~/.ssh/authorized_keys, limited",
                "to what its gate allows: restrict (no port forwarding, no pty, no ~/.ssh/rc), from= its address",
                "and command= its gate script (sshd(8), AUTHORIZED_KEYS FILE FORMAT). An earlier line of the same",
                "key, gated or not, is replaced. Usage: \(Layout.stackPath(node, authorizeScript)) HOLDER < KEY.pub",
            ])
        var body = "case \"${1-}\" in\n"
        for gate in gates {
            body += "  \(Shell.quote(gate.holder))) options=\(Shell.quote(gate.keyOptions)) ;;\n"
        }
        body += "  *)\n    echo \"usage: $0 HOLDER < KEY.pub  (HOLDER one of: \(holders.joined(separator: " ")))\" >&2\n    exit 2\n    ;;\nesac\n"
        body += """
            IFS= read -r key || true
            # A public key alone: its type, then base64. A line with options of its own is refused,
            # not merged: the options here are the whole of what the key may do.
            read -r type blob _ <<<"$key" || true
            case "$type" in
              ssh-ed25519 | ssh-rsa | ecdsa-sha2-nistp256 | ecdsa-sha2-nistp384 | ecdsa-sha2-nistp521 | sk-ssh-ed25519@openssh.com | sk-ecdsa-sha2-nistp256@openssh.com) ;;
              *)
                echo "not a public key line (ssh-ed25519 AAAA... comment): ${key:0:40}" >&2
                exit 1
                ;;
            esac
            case "$blob" in
              '' | *[!A-Za-z0-9+/=]*)
                echo "not a public key: its second field is not base64" >&2
                exit 1
                ;;
            esac
            umask 077
            mkdir -p "$HOME/.ssh"
            file=$HOME/.ssh/authorized_keys
            touch "$file"
            { grep -vF " $blob" "$file" || true; printf '%s %s %s spark-gen:%s\\n' "$options" "$type" "$blob" "$1"; } >"$file.spark-gen"
            mv "$file.spark-gen" "$file"
            echo "installed the key of $1 ($type ...${blob: -12}) in $file with: $options"

            """
        return ShellScript(header: header, body: body).text
    }

    /// The gate script.
    func render(_ plan: Plan) -> String {
        let header = Header(
            plan, node: node.name,
            about: [
                "The forced command of the ssh key of \(holderPhrase) on this node. Its authorized_keys line is",
                "  \(keyOptions) KEY",
                "so sshd runs this script whatever the client asks, and passes the request in SSH_ORIGINAL_COMMAND",
                "(sshd(8), AUTHORIZED_KEYS FILE FORMAT). A request runs only when it is one of the lines below,",
                "character for character, and then with fixed arguments: no shell reads it, so ; && $( ) or a",
                "newline make it unknown. What it runs and refuses goes to syslog: journalctl -t spark-gen-gate",
            ])
        var body = "request=${SSH_ORIGINAL_COMMAND-}\n"
        body += "client=${SSH_CLIENT-}\n"
        body += "client=${client%% *}\n"
        body += "# %q keeps a request with a newline on one log line.\n"
        body += "quoted=$(printf '%q' \"$request\")\n"
        body += "log() {\n  logger -t spark-gen-gate -- \"\(holder) ($client) $1: $quoted\" 2>/dev/null || true\n}\n\n"
        body += "case \"$request\" in\n"
        for command in commands {
            body += "  \(Shell.quote(command.line)))   # \(command.purpose)\n"
            body += "    log ran\n"
            body += "    exec \(command.line)\n"
            body += "    ;;\n"
        }
        body += "  *)\n"
        body += "    log refused\n"
        body += "    echo \"refused: the key of \(holder) may run only the commands listed in $0\" >&2\n"
        body += "    exit 1\n"
        body += "    ;;\n"
        body += "esac\n"
        return ShellScript(header: header, body: body).text
    }
}
