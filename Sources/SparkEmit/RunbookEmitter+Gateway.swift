import SparkPlan
import SparkSpec

/// The runbook's LiteLLM steps: starting the proxy (with its database and cache) and minting the
/// virtual keys of the apps and of the owners its gateway offers models to.
extension RunbookEmitter {
    /// Starts the node's LiteLLM and mints its virtual keys.
    func writeLiteLLM(_ plan: Plan, _ node: NodePlan, _ litellm: LiteLLMPlan, recipes: SecretRecipe, into book: inout RunbookWriter) {
        let user = node.user
        let home = node.home
        let compose = Layout.stackPath(node, ComposeEmitter.fileName)
        book.heading("LiteLLM proxy")
        book.text += "```sh\n"
        book.reads([Layout.stackPath(node, LiteLLMConfigEmitter.fileName), litellm.container == nil ? "/etc/systemd/system/litellm.service" : compose])
        book.reads(node.secretFiles.filter { $0.readers.contains(App.litellm.rawValue) }.map(\.path))
        if litellm.database != nil { book.reads([compose]) }
        if let database = litellm.database {
            let container = App.litellmDB.containerName
            book.text += "docker compose -f \(compose) up -d \(container)\n"
            book.text +=
                "timeout 120 bash -c 'until docker exec \(container) pg_isready -q -h \(database.host) -p \(database.port) -U \(LiteLLMPlan.Database.user); do sleep 1; done'\n"
            // LiteLLM's image migrates its database at start (`prisma migrate deploy`, proxy_cli.py);
            // from site-packages the schema is pushed here.
            if litellm.container == nil, let file = node.secretFile(defining: "DATABASE_URL") {
                book.text +=
                    "( set -a; . \(file.path); \(home)/.local/bin/prisma db push --schema \(home)/.local/lib/python\(node.python)/site-packages/litellm/proxy/schema.prisma )\n"
            }
        }
        if litellm.cache != nil {
            book.text += "docker compose -f \(compose) up -d \(App.redis.containerName)\n"
        }
        if let container = litellm.container {
            book.text += "docker compose -f \(compose) up -d \(container)\n"
        } else {
            book.text += "sudo systemctl enable --now litellm\n"
        }
        // A first start with a database migrates it, which takes a while.
        let wait = LiteLLMWait(node: node, litellm: litellm)
        book.reads(wait.reads)
        book.text += wait.line + "\n```\n\n"
        book.text += "LiteLLM listens on \(litellm.bindAddress):\(litellm.port) and reaches "
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
                    : forApps ? "Virtual keys for the apps and other owners (once)" : "Virtual keys for other owners (once)")
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
}
