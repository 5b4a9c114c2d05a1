import SparkPlan
import SparkSpec

/// The runbook's steps of a node's gateway, LiteLLM, which its planner (`LiteLLMPlan`) owns:
/// starting the proxy (after what serves it: its database and cache, whose kinds give their
/// lines), minting the virtual keys of the apps and of the owners it offers models to, and the
/// lines that give it a new master key when the owner takes the node over.
struct GatewayStep {
    let plan: Plan
    let node: NodePlan
    let litellm: LiteLLMPlan
    let recipes: SecretRecipe

    /// The node's gateway steps, or nil on a node without a gateway.
    init?(plan: Plan, node: NodePlan, recipes: SecretRecipe) {
        guard let litellm = node.litellm else { return nil }
        self.plan = plan
        self.node = node
        self.litellm = litellm
        self.recipes = recipes
    }

    /// Starts the node's LiteLLM and mints its virtual keys.
    func write(into book: inout RunbookWriter) {
        let user = node.user
        let compose = Layout.stackPath(node, ComposeEmitter.fileName)
        book.heading("LiteLLM proxy", kind: .gateway)
        book.reads([Layout.stackPath(node, LiteLLMConfigEmitter.fileName), litellm.container == nil ? "/etc/systemd/system/litellm.service" : compose])
        book.reads(node.secretFiles.filter { $0.readers.contains(App.litellm.rawValue) }.map(\.path))
        // What serves the gateway starts first, in the order it serves it: a database, then a cache.
        let serving = node.operations.filter { $0.servesGateway != nil }.sorted { $0.servesGateway! < $1.servesGateway! }
        var commands = serving.flatMap(\.startBeforeGateway).map { RunbookCommand($0) }
        if let container = litellm.container {
            commands.append(RunbookCommand("docker compose -f \(compose) up -d \(container)"))
        } else {
            commands.append(RunbookCommand("sudo systemctl enable --now litellm"))
        }
        // A first start with a database migrates it, which takes a while.
        let wait = LiteLLMWait(node: node, litellm: litellm)
        commands.append(.check(wait.line, reads: wait.reads))
        book.commands(commands)
        // Its --host: 127.0.0.1, or every address for a gateway offered over a LAN.
        book.note(
            (litellm.listenAddress == Service.everyAddress
                ? "LiteLLM listens on every address (\(litellm.listenAddress):\(litellm.port); this node calls it at \(litellm.bindAddress)) and reaches "
                : "LiteLLM listens on \(litellm.bindAddress):\(litellm.port) and reaches ")
                + (litellm.routes.isEmpty ? "no model." : "\(litellm.routes.map { "\($0.servedName) at \($0.apiBase)" }.joined(separator: ", ")).")
        )
        book.note(
            "`\(Layout.stackPath(node, SmokeEmitter.fileName))` (as \(user)) checks that it is ready and that every model answers a one-token completion: "
                + "run it after every change of the config.")

        if !recipes.virtualKeyFiles.isEmpty {
            let offers = plan.offers.filter { $0.gateway == node.name }
            let forApps = recipes.virtualKeyFiles.count > offers.count
            book.heading(
                offers.isEmpty
                    ? "Virtual keys for the apps (once)"
                    : forApps ? "Virtual keys for the apps and other owners (once)" : "Virtual keys for other owners (once)", kind: .virtualKeys)
            if litellm.database != nil, let master = node.secretFile(defining: litellm.masterKey.variable) {
                var note = ""
                if forApps {
                    note += "Each app gets a key of its own, minted with the master key and limited to this LiteLLM's models; "
                    note += "the apps read it at their first start. "
                }
                for offer in offers {
                    note +=
                        "Owner \(offer.to) gets a key limited to \(offer.servedNames.map { "`\($0)`" }.joined(separator: ", ")), the models offered to it "
                    note +=
                        "(`\(offer.path)`); \(offer.receivers.joined(separator: ", ")) copies it in its 'Secrets from other nodes' step and calls this LiteLLM "
                    note +=
                        "\(offer.lan.map { "over LAN \($0)" } ?? "over the tailnet") with it, at \(offer.apiBase). LiteLLM refuses it for any other model. "
                }
                note += "To mint a new one, delete the old key in the LiteLLM UI and the file here."
                book.note(note)
                book.reads([master.path])
                book.commands(
                    recipes.virtualKeyFiles.map {
                        RunbookCommand(recipes.mint($0, litellm: litellm, masterKeyFile: master.path), creates: [$0.path])
                    })
            } else {
                book.note(
                    "This LiteLLM has no database, so it cannot mint virtual keys: write a key made elsewhere into "
                        + recipes.virtualKeyFiles.map { "`\($0.path)` (`\($0.variables.joined(separator: ", "))=…`)" }.joined(separator: ", ")
                        + ", mode 0600.")
            }
        }
    }

    /// The hand-over's commands: a new master key, and LiteLLM restarted to read it.
    var rotation: [RunbookCommand] {
        guard let master = node.secretFile(defining: litellm.masterKey.variable) else { return [] }
        let variable = litellm.masterKey.variable
        var commands: [RunbookCommand] = []
        if master.variables == [variable] {
            commands.append(RunbookCommand("\(master.group == nil ? "" : "sudo ")rm \(master.path)   # then run the secrets step again for this file"))
        } else {
            // The file holds more (the salt key, which must never change: LiteLLM could no longer
            // read what it encrypted): only the master key's line is made anew.
            let write = master.group.map { "sudo install -m \(master.mode) -o root -g \($0) \"$tmp\" \(master.path)" } ?? "cat \"$tmp\" > \(master.path)"
            commands.append(
                RunbookCommand(
                    "( umask 077; tmp=$(mktemp); trap 'rm -f \"$tmp\"' EXIT   # a new \(variable); the file's other values stay\n"
                        + "  { grep -v '^\(variable)=' \(master.path); printf '\(variable)=sk-%s\\n' \"$(openssl rand -hex 24)\"; } > \"$tmp\"\n"
                        + "  \(write) )"))
        }
        if let container = litellm.container {
            // A restart keeps the environment the container was created with.
            commands.append(RunbookCommand("docker compose -f \(Layout.stackPath(node, ComposeEmitter.fileName)) up -d --force-recreate \(container)"))
        } else {
            commands.append(RunbookCommand("sudo systemctl restart litellm"))
        }
        return commands
    }
}
