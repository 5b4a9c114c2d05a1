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
        book.text += "```sh\n"
        book.reads([Layout.stackPath(node, LiteLLMConfigEmitter.fileName), litellm.container == nil ? "/etc/systemd/system/litellm.service" : compose])
        book.reads(node.secretFiles.filter { $0.readers.contains(App.litellm.rawValue) }.map(\.path))
        // What serves the gateway starts first, in the order it serves it: a database, then a cache.
        let serving = node.operations.filter { $0.servesGateway != nil }.sorted { $0.servesGateway! < $1.servesGateway! }
        for command in serving.flatMap(\.startBeforeGateway) { book.run(command) }
        if let container = litellm.container {
            book.text += "docker compose -f \(compose) up -d \(container)\n"
        } else {
            book.text += "sudo systemctl enable --now litellm\n"
        }
        // A first start with a database migrates it, which takes a while.
        let wait = LiteLLMWait(node: node, litellm: litellm)
        book.reads(wait.reads)
        book.text += wait.line + "\n```\n\n"
        // Its --host: 127.0.0.1, or every address for a gateway offered over a LAN.
        book.text +=
            litellm.listenAddress == Service.everyAddress
            ? "LiteLLM listens on every address (\(litellm.listenAddress):\(litellm.port); this node calls it at \(litellm.bindAddress)) and reaches "
            : "LiteLLM listens on \(litellm.bindAddress):\(litellm.port) and reaches "
        book.text += litellm.routes.isEmpty ? "no model.\n" : "\(litellm.routes.map { "\($0.servedName) at \($0.apiBase)" }.joined(separator: ", ")).\n"
        book.text +=
            "\n`\(Layout.stackPath(node, SmokeEmitter.fileName))` (as \(user)) checks that it is ready and that every model answers a one-token completion: "
        book.text += "run it after every change of the config.\n"

        if !recipes.virtualKeyFiles.isEmpty {
            let offers = plan.offers.filter { $0.gateway == node.name }
            let forApps = recipes.virtualKeyFiles.count > offers.count
            book.heading(
                offers.isEmpty
                    ? "Virtual keys for the apps (once)"
                    : forApps ? "Virtual keys for the apps and other owners (once)" : "Virtual keys for other owners (once)", kind: .virtualKeys)
            if litellm.database != nil, let master = node.secretFile(defining: litellm.masterKey.variable) {
                if forApps {
                    book.text += "Each app gets a key of its own, minted with the master key and limited to this LiteLLM's models; "
                    book.text += "the apps read it at their first start. "
                }
                for offer in offers {
                    book.text +=
                        "Owner \(offer.to) gets a key limited to \(offer.servedNames.map { "`\($0)`" }.joined(separator: ", ")), the models offered to it "
                    book.text +=
                        "(`\(offer.path)`); \(offer.receivers.joined(separator: ", ")) copies it in its 'Secrets from other nodes' step and calls this LiteLLM "
                    book.text +=
                        "\(offer.lan.map { "over LAN \($0)" } ?? "over the tailnet") with it, at \(offer.apiBase). LiteLLM refuses it for any other model. "
                }
                book.text += "To mint a new one, delete the old key in the LiteLLM UI and the file here.\n\n```sh\n"
                book.reads([master.path])
                for file in recipes.virtualKeyFiles {
                    book.text += recipes.mint(file, litellm: litellm, masterKeyFile: master.path) + "\n"
                    book.creates([file.path])
                }
                book.text += "```\n"
            } else {
                book.text += "This LiteLLM has no database, so it cannot mint virtual keys: write a key made elsewhere into "
                book.text += recipes.virtualKeyFiles.map { "`\($0.path)` (`\($0.variables.joined(separator: ", "))=…`)" }.joined(separator: ", ")
                book.text += ", mode 0600.\n"
            }
        }
    }

    /// The hand-over's lines: a new master key, and LiteLLM restarted to read it.
    var rotation: String {
        guard let master = node.secretFile(defining: litellm.masterKey.variable) else { return "" }
        let variable = litellm.masterKey.variable
        var text = ""
        if master.variables == [variable] {
            text += "\(master.group == nil ? "" : "sudo ")rm \(master.path)   # then run the secrets step again for this file\n"
        } else {
            // The file holds more (the salt key, which must never change: LiteLLM could no longer
            // read what it encrypted): only the master key's line is made anew.
            let write = master.group.map { "sudo install -m \(master.mode) -o root -g \($0) \"$tmp\" \(master.path)" } ?? "cat \"$tmp\" > \(master.path)"
            text += "( umask 077; tmp=$(mktemp); trap 'rm -f \"$tmp\"' EXIT   # a new \(variable); the file's other values stay\n"
            text += "  { grep -v '^\(variable)=' \(master.path); printf '\(variable)=sk-%s\\n' \"$(openssl rand -hex 24)\"; } > \"$tmp\"\n"
            text += "  \(write) )\n"
        }
        if let container = litellm.container {
            // A restart keeps the environment the container was created with.
            text += "docker compose -f \(Layout.stackPath(node, ComposeEmitter.fileName)) up -d --force-recreate \(container)\n"
        } else {
            text += "sudo systemctl restart litellm\n"
        }
        return text
    }
}
