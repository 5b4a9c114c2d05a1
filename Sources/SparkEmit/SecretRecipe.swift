import SparkPlan

/// The shell snippets a runbook uses to create a node's secret files, each only when the file
/// does not exist yet (keys are rotated deliberately, never by re-running a step).
///
/// Values are generated on the node and written straight into the file: none is ever an
/// argument of a command (visible in the process list) or printed.
struct SecretRecipe {
    let node: NodePlan
    let plan: Plan

    /// Files the runbook's secrets step creates: all but virtual keys, which need a running
    /// LiteLLM, and copies of other nodes' files, which `SecretHandover` brings later.
    var generatedFiles: [SecretFile] {
        node.secretFiles.filter { file in
            if case .copied = file.source { return false }
            return file.virtualKeyFor == nil
        }
    }

    /// Files holding an app's LiteLLM virtual key, minted after LiteLLM is up.
    var virtualKeyFiles: [SecretFile] { node.secretFiles.filter { $0.virtualKeyFor != nil } }

    /// A snippet that creates `file` with fresh random values.
    func generate(_ file: SecretFile) -> String {
        if case .entered(let prompt) = file.source {
            // A value only the operator has (an account's API key): typed at a silent prompt, so
            // it never lands in the shell's history or on a command line.
            let variable = file.variables.first ?? "VALUE"
            let write = file.group.map { "| sudo install -m \(file.mode) -o root -g \($0) /dev/stdin \(file.path)" } ?? "> \(file.path)"
            return "[ -e \(file.path) ] || ( umask 077\n  read -rsp \(Shell.quote(prompt + ": ")) value; echo\n"
                + "  [ -n \"$value\" ] || exit 1\n"
                + "  printf '\(variable)=%s\\n' \"$value\" \(write) )"
        }
        if !file.values.isEmpty { return own(file) }
        var lines: [String] = []
        var needsPassword = false
        for variable in file.variables {
            switch variable {
            case "DATABASE_URL":
                needsPassword = true
                if let database = node.litellm?.database {
                    lines.append("printf 'DATABASE_URL=%s\\n' \"\(database.url(passwordVariable: "pw"))\"")
                }
            case node.litellm?.masterKey.variable:
                lines.append("printf '\(variable)=sk-%s\\n' \"$(openssl rand -hex 24)\"")
            case "LITELLM_SALT_KEY":
                lines.append("printf '\(variable)=sk-%s\\n' \"$(openssl rand -hex 24)\"")
            case "RAY_AUTH_TOKEN":
                lines.append("printf 'RAY_AUTH_TOKEN=%s\\n' \"$(openssl rand -hex 32)\"")
            default:
                needsPassword = true
                lines.append("printf '\(variable)=%s\\n' \"$pw\"")
            }
        }
        var recipe = "[ -e \(file.path) ] || ( umask 077\n"
        if needsPassword { recipe += "  pw=$(openssl rand -hex 24)\n" }
        recipe += "  { " + lines.joined(separator: "\n    ") + "; }"
        if let group = file.group {
            // Straight from the pipe into a root-owned file: the values never touch a file of the user's.
            recipe += " | sudo install -m \(file.mode) -o root -g \(group) /dev/stdin \(file.path) )"
        } else {
            recipe += " > \(file.path) )"
        }
        return recipe
    }

    /// A snippet that creates a file an app owns, each variable made as its kind says: random
    /// ones first, then the templates that name them, so a database URL holds the password
    /// its database was given. Values go from shell variables straight into the file.
    private func own(_ file: SecretFile) -> String {
        func shell(_ variable: String) -> String { "v_" + variable }
        var recipe = "[ -e \(file.path) ] || ( umask 077\n"
        let ordered =
            file.variables.filter { file.values[$0]?.references.isEmpty ?? true }
            + file.variables.filter { !(file.values[$0]?.references.isEmpty ?? true) }
        for variable in ordered {
            switch file.values[variable] {
            case .randomHex(let bytes, let prefix)?:
                recipe += "  \(shell(variable))=\(prefix.isEmpty ? "" : Shell.quote(prefix))$(openssl rand -hex \(bytes))\n"
            case .template(let text)?:
                recipe += "  \(shell(variable))=\(Self.doubleQuoted(text, variables: file.variables, shell: shell))\n"
            case nil:
                recipe += "  \(shell(variable))=$(openssl rand -hex 24)\n"
            }
        }
        let lines = file.variables.map { "printf '\($0)=%s\\n' \"$\(shell($0))\"" }
        recipe += "  { " + lines.joined(separator: "\n    ") + "; }"
        if let group = file.group {
            recipe += " | sudo install -m \(file.mode) -o root -g \(group) /dev/stdin \(file.path) )"
        } else {
            recipe += " > \(file.path) )"
        }
        return recipe
    }

    /// A template in double quotes: `${NAME}` of a variable of the file becomes its shell
    /// variable, and every other character stays literal (`$`, `` ` ``, `"` and `\` escaped),
    /// so no text of a kind's can run a command.
    static func doubleQuoted(_ text: String, variables: [String], shell: (String) -> String) -> String {
        var quoted = "\""
        var rest = Substring(text)
        while let character = rest.first {
            if character == "$", rest.dropFirst().first == "{", let end = rest.firstIndex(of: "}") {
                let name = String(rest[rest.index(rest.startIndex, offsetBy: 2)..<end])
                if variables.contains(name) {
                    quoted += "${\(shell(name))}"
                    rest = rest[rest.index(after: end)...]
                    continue
                }
            }
            if "\\\"$`".contains(character) { quoted.append("\\") }
            quoted.append(character)
            rest = rest.dropFirst()
        }
        return quoted + "\""
    }

    /// A snippet that mints the app's virtual key from the node's LiteLLM with the master key,
    /// limited to the models that LiteLLM routes, and writes it to the app's file. LiteLLM's
    /// `POST /key/generate` (proxy/management_endpoints/key_management_endpoints.py) needs the
    /// database and answers the key in `key`; Open WebUI reads OPENAI_API_KEY only at its first
    /// start (backend/open_webui/config.py, PersistentConfig), so this runs before the apps start.
    func mint(_ file: SecretFile, litellm: LiteLLMPlan, masterKeyFile: String) -> String {
        let app = file.virtualKeyFor ?? "app"
        let variable = file.variables.first ?? "OPENAI_API_KEY"
        // Served names and node names are plain identifiers, so single quotes hold the JSON as it is.
        var offered: [String]?
        if case .virtualKey(_, let models) = file.source { offered = models }
        let models = (offered ?? litellm.routes.map(\.servedName)).map { "\"\($0)\"" }.joined(separator: ", ")
        let body = "{\"key_alias\": \"\(app)@\(node.name)\", \"models\": [\(models)]}"
        var recipe = "[ -e \(file.path) ] || ( umask 077\n"
        recipe += "  header=$(mktemp)\n"
        recipe += "  trap 'rm -f \"$header\"' EXIT\n"
        recipe += "  " + Shell.bearerHeader(from: masterKeyFile, variable: litellm.masterKey.variable, to: "\"$header\"") + "\n"
        recipe += "  key=$(curl -fsS http://\(litellm.bindAddress):\(litellm.port)/key/generate -H @\"$header\" \\\n"
        recipe += "    -H 'Content-Type: application/json' -d '\(body)' \\\n"
        recipe += "    | python3 -c 'import json, sys; print(json.load(sys.stdin)[\"key\"])') && [ -n \"$key\" ] || exit 1\n"
        recipe += "  printf '\(variable)=%s\\n' \"$key\" > \(file.path) )"
        return recipe
    }
}
