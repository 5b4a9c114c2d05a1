import SparkPlan

/// The section of a gateway's `verify.sh` for the backends its LiteLLM routes (servers on tailnet
/// hosts spark-gen does not deploy): each answers a one-token completion over the tailnet, with
/// its token read from its file on the gateway, and refuses a request without it. A listed model
/// proves nothing about a server whose model is not loaded; a completion does.
enum BackendChecks {
    static func section(_ plan: Plan, _ node: NodePlan) -> String {
        guard let litellm = node.litellm else { return "" }
        let backends = plan.backends(named: litellm.routes.map(\.servedName))
        guard !backends.isEmpty else { return "" }
        var text = "\necho '== Backends on tailnet hosts (each set up by its host runbook)'\n"
        text += "# completes URL MODEL [HEADER_FILE]: a one-token chat completion at URL answers 200 with a choice.\n"
        text += "completes() {\n  local header=()\n  if [ -n \"${3:-}\" ]; then header=(-H @\"$3\"); fi\n"
        text += "  curl -fsS --max-time 120 \"${header[@]}\" -H 'Content-Type: application/json' \"$1/chat/completions\" \\\n"
        text +=
            "    -d \"{\\\"model\\\": \\\"$2\\\", \\\"messages\\\": [{\\\"role\\\": \\\"user\\\", \\\"content\\\": \\\"ping\\\"}], \\\"max_tokens\\\": 1}\" \\\n"
        text += "    | grep -q '\"choices\"'\n}\n"
        for backend in backends {
            let what = "\(backend.name) on \(backend.host)"
            guard let key = backend.apiKey, let file = node.secretFile(defining: key.variable) else {
                text += "expect \(Shell.quote("\(what) answers a one-token completion")) completes \(backend.apiBase) \(Shell.quote(backend.model))\n"
                continue
            }
            // The token goes through a 0600 temporary file, never the process list.
            text += "backend_headers=$(mktemp -d)\n"
            text += "# shellcheck source=/dev/null\n"
            text += Shell.bearerHeader(from: file.path, variable: key.variable, to: "\"$backend_headers/key\"") + "\n"
            text += "expect \(Shell.quote("\(what) answers a one-token completion with its token")) "
            text += "completes \(backend.apiBase) \(Shell.quote(backend.model)) \"$backend_headers/key\"\n"
            text += "expect \(Shell.quote("\(what) refuses a request without its token")) "
            text += "test \"$(http_status \(backend.apiBase)/models)\" != 200\n"
            text += "rm -rf \"$backend_headers\"\n"
        }
        return text
    }
}
