import SparkPlan

/// `scripts/smoke.sh` for each node that runs LiteLLM: the quick check after a config change
/// or a restart, run as the stack's user. LiteLLM is ready (`/health/readiness`, which needs no
/// key and checks the database when there is one), and every model answers a one-token
/// completion with the owner's key (through NGINX, streamed, where NGINX is in front).
/// verify.sh is the full checklist; this is the thirty-second one.
struct SmokeEmitter {
    static let fileName = "scripts/smoke.sh"

    func artifacts(for plan: Plan) -> [Artifact] {
        plan.nodes.compactMap { node in
            guard let litellm = node.litellm, let keyFile = node.secretFile(defining: litellm.masterKey.variable) else { return nil }
            let header = Header(
                plan, node: node.name,
                about: [
                    "Smoke test of the LiteLLM of owner '\(node.owner.name)': ready, and every model answers a",
                    "one-token completion with the owner's key. Run as \(node.user) (no root needed): \(Layout.stackPath(node, Self.fileName))",
                ])
            let base = "http://\(litellm.bindAddress):\(litellm.port)"
            var body = "base=\(Shell.quote(base))\n"
            body += "header=$(mktemp)\n"
            body += "trap 'rm -f \"$header\"' EXIT\n"
            body += "# The key goes through a 0600 temporary file so it never shows in the process list.\n"
            body += "# shellcheck source=/dev/null\n"
            body += Shell.bearerHeader(from: keyFile.path, variable: litellm.masterKey.variable, to: "\"$header\"") + "\n\n"
            body += "echo \"== $base/health/readiness\"\n"
            body += "curl -fsS --max-time 10 \"$base/health/readiness\" || { echo \"LiteLLM is not ready at $base\" >&2; exit 1; }\n"
            body += "echo\n"
            // A listed model may have no backend: each gets one real, one-token completion.
            let check = CompletionCheck(plan: plan, node: node, litellm: litellm)
            body += CompletionCheck.function
            body += "echo \(Shell.quote("== a one-token completion of every model, \(check.via)"))\n"
            body += "missing=0\n"
            for request in check.requests(header: "\"$header\"") {
                body += "if why=$(\(request.command)); then echo \(Shell.quote("ok       \(request.model)")); "
                if let stopped = request.stopped {
                    body += "else echo \(Shell.quote("stopped  \(request.model) (\(stopped)): "))\"$why\"; fi\n"
                } else {
                    body += "else echo \(Shell.quote("FAILED   \(request.model): "))\"$why\"; missing=1; fi\n"
                }
            }
            body += "exit \"$missing\"\n"
            return Artifact(path: Layout.stackFile(node, Self.fileName), contents: ShellScript(header: header, body: body).text, mode: .executable)
        }
    }
}
