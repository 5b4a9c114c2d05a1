import SparkPlan
import SparkSpec

/// verify.sh's section for a node's gateway, LiteLLM, which its planner (`LiteLLMPlan`) owns:
/// it is alive, refuses a request without a key and answers with the owner's, every routed
/// model answers one real completion through it (`CompletionCheck`), and each app's virtual
/// key is accepted. Keys go through 0600 temporary files, never the process list.
struct GatewayChecks {
    let plan: Plan
    let node: NodePlan
    let litellm: LiteLLMPlan
    /// The file that defines the master key.
    let keyFile: String

    /// The node's gateway checks, or nil on a node without a gateway (or without its key).
    init?(plan: Plan, node: NodePlan) {
        guard let litellm = node.litellm, let keyFile = node.secretFile(defining: litellm.masterKey.variable) else { return nil }
        self.plan = plan
        self.node = node
        self.litellm = litellm
        self.keyFile = keyFile.path
    }

    var section: String {
        let base = "http://\(litellm.bindAddress):\(litellm.port)"
        var text = VerifyEmitter.section("LiteLLM of owner \(node.owner.name)")
        text += "headers=$(mktemp -d)\n"
        text += "trap 'rm -rf \"$headers\"' EXIT\n"
        text += "# Keys go through 0600 temporary files so they never show in the process list.\n"
        text += "key_header=\"$headers/master\"\n"
        text += VerifyEmitter.header(from: keyFile, variable: litellm.masterKey.variable, to: "$key_header")
        text += "expect 'litellm is alive' curl -fsS --max-time 5 \(base)/health/liveliness\n"
        text += "expect 'litellm refuses a request without a key (401)' test \"$(http_status \(base)/v1/models)\" = 401\n"
        text += "expect 'litellm answers with the owner key' test \"$(http_status \(base)/v1/models \"$key_header\")\" = 200\n"
        text += completions(CompletionCheck(plan: plan, node: node, litellm: litellm))
        for file in node.secretFiles {
            guard let app = file.virtualKeyFor, let variable = file.variables.first else { continue }
            text += VerifyEmitter.header(from: file.path, variable: variable, to: "$headers/\(app)")
            text += "expect \(Shell.quote("the virtual key of \(app) is accepted (200)")) "
            text += "test \"$(http_status \(base)/v1/models \"$headers/\(app)\")\" = 200\n"
            text += keyRefusal(base, app: app, file: file)
        }
        return text
    }

    /// A key minted for some models (an offer's) must be refused the others: a one-token
    /// completion of a routed model outside its list. LiteLLM refuses it in its auth step, before
    /// any backend is called, so nothing is generated unless the key is wrongly allowed.
    private func keyRefusal(_ base: String, app: String, file: SecretFile) -> String {
        guard case .virtualKey(_, let models?) = file.source,
            let other = litellm.routes.map(\.servedName).first(where: { !models.contains($0) })
        else { return "" }
        let what = "the virtual key of \(app) is refused for \(other), which it may not call (403)"
        var text = "# LiteLLM \(LiteLLMPlan.version) checks a key's models before routing and answers 403: proxy/auth/auth_checks.py\n"
        text += "# _can_object_call_model raises ModelAccessDeniedProxyException(code=status.HTTP_403_FORBIDDEN), which\n"
        text += "# auth_exception_handler.py _as_proxy_exception passes on unchanged (BerriAI/litellm, PyPI litellm==\(LiteLLMPlan.version)).\n"
        text += "if why=$(completion \(base) \"$headers/\(app)\" \(Shell.quote("\"\(other)\"")) false); then fail \(Shell.quote("\(what): it answered"))\n"
        text += "elif [[ $why == 'HTTP 403: '* ]]; then pass \(Shell.quote(what))\n"
        text += "else fail \(Shell.quote("\(what): "))\"$why\"; fi\n"
        return text
    }

    /// One real completion per routed model: a listed model may have no backend behind it.
    private func completions(_ check: CompletionCheck) -> String {
        var text = CompletionCheck.function
        for request in check.requests(header: "\"$key_header\"") {
            let what = "\(request.model) answers a one-token completion \(check.via)"
            text += "if why=$(\(request.command)); then pass \(Shell.quote(what)); "
            if let stopped = request.stopped {
                // Stopped on purpose: the line shows what its clients get meanwhile.
                text += "else pass \(Shell.quote("\(request.model) is stopped (\(stopped)); LiteLLM answers its clients: "))\"$why\"; fi\n"
            } else {
                text += "else fail \(Shell.quote("\(what): "))\"$why\"; fi\n"
            }
        }
        return text
    }
}
