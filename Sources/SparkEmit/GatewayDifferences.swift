import SparkPlan
import SparkSpec

/// Where a node's gateway, LiteLLM, with its TLS front, cache and database, departs from a
/// hand-made one: the bullets of the runbook's last step that its planner (`LiteLLMPlan`) owns,
/// so RunbookEmitter's differences name no app.
struct GatewayDifferences {
    let node: NodePlan
    let litellm: LiteLLMPlan
    /// Where LiteLLM actually listens and who reaches it there, from the plan.
    let reach: LiteLLMReach

    /// The node's gateway differences, or nil on a node without a gateway.
    init?(plan: Plan, node: NodePlan) {
        guard let litellm = node.litellm else { return nil }
        self.node = node
        self.litellm = litellm
        self.reach = LiteLLMReach(plan, node, litellm)
    }

    /// The gateway's name where a sentence of another owner's needs it.
    static let name = "LiteLLM"

    /// The step title other owners' sentences point at ("after … is up in the LiteLLM step").
    static let stepName = "\(name) step"

    /// What a model that is stopped on purpose gets from the gateway: an error, never another model.
    static func stoppedModel(_ servedName: String) -> String {
        "While it is stopped \(name) answers requests for \(servedName) with an error; it never sends them to another model."
    }

    /// The gateway's step loads the secret files handed over before it (`count` files).
    static func loadsCopies(_ count: Int, variables: [String]) -> String {
        "The \(stepName) below loads \(count == 1 ? "it" : "them") (variable \(variables.joined(separator: ", ")))."
    }

    /// Who made a virtual key for `app`: the gateway of node `node`.
    static func mintedBy(node: String, app: String) -> String { "minted by \(node)'s \(name) for \(app)" }

    /// Why a virtual key for `app` is made by hand: the running gateway mints it.
    static func mintedFromRunning(app: String) -> String { "minted from the running \(name) for \(app)" }

    /// The deploy note of the steps Ansible leaves to the runbook on a node with a gateway.
    static func leftToRunbook(virtualKeys: Bool) -> String {
        "The \(stepName)'s database set-up\(virtualKeys ? ", and the apps' virtual keys, minted from the running \(name)" : "")."
    }

    /// What a virtual key that another owner's gateway minted lets its holder do, and how to take it back.
    static func offeredKeyHolding(holder: String, source: String, offer: OfferPlan) -> String {
        let models = offer.servedNames.map { "`\($0)`" }.joined(separator: ", ")
        return "\(holder) holds a \(name) virtual key that \(source) minted for owner \(offer.to): whoever holds it calls \(models) "
            + "through the \(name) on \(offer.gateway) (\(offer.apiBase)), and no other model; \(name) there logs and counts its requests. "
            + "It reaches no model's own port. To take it back, delete key `\(offer.keyAlias)@\(offer.gateway)` in that \(name)."
    }

    /// The bullet joining what the apps hold (`credentials`, as clauses) with the master key,
    /// which stays with the gateway.
    static func masterKeyStays(_ credentials: [String]) -> String {
        credentials.joined(separator: ", and ") + "; the master key stays with \(name)."
    }

    /// The bullet of a gateway that binds every address with no TLS front, on a compose node.
    var everyAddressBind: String? {
        bindsEveryAddress ? "LiteLLM binds every address (\(Service.everyAddress):\(reach.port)), on the host network: \(reach.whoDecides)." : nil
    }

    /// The firewall's bullet on a compose node with a gateway: what ufw admits, LiteLLM's port
    /// from its callers included.
    var firewall: String {
        reach.callers.isEmpty
            ? "ufw is reset to the generated rules: nothing but ssh and the tailnet ports of the apps is admitted."
            : "ufw is reset to the generated rules: nothing but ssh, the tailnet ports of the apps and LiteLLM's port from \(reach.callerList) is admitted."
    }

    /// LiteLLM binds every address (offered over a LAN) with no TLS front before it.
    var bindsEveryAddress: Bool { reach.bindsEveryAddress && !node.has(.nginx) }

    /// The upstream default a compose-run gateway would bind without spark-gen's flags.
    var upstreamBind: String? { litellm.container == nil ? nil : "LiteLLM's `--host` defaults to `0.0.0.0`" }

    /// How the tailnet reaches the gateway (through its TLS front where it has one).
    var tailnetFront: String {
        bindsEveryAddress
            ? " The tailnet reaches LiteLLM on the node's tailnet address, where the tailnet policy governs it."
            : " The tailnet reaches \(node.has(.nginx) ? "NGINX" : "LiteLLM") through `tailscale serve`, which the tailnet policy governs."
    }

    /// Against a hand-written compose stack: fallbacks, the TLS front, the cache, the database.
    var fromCompose: [String] {
        var items = [
            litellm.routesBetweenModels
                ? "LiteLLM has no retries, and falls back only along the chains the topology names (a senior model never): a "
                    + "backend that is down fails the requests for its own name, or sends them down its chain, instead of an "
                    + "unnamed model answering them."
                : "Each model name is one backend and LiteLLM has no retries or fallbacks: a backend that is down fails the requests "
                    + "for its own name, at once, instead of another model answering them."
        ]
        if node.has(.nginx) {
            items.append(
                "NGINX binds 127.0.0.1:\(node.port(of: .nginx) ?? 443) instead of publishing 80 and 443 on every address, and LiteLLM "
                    + "faces only NGINX. Streaming passes through unbuffered, with HTTP/1.1 keepalive to LiteLLM and \(NginxEmitter.timeoutSeconds) s "
                    + "timeouts; HSTS is sent only with a certificate the topology names, never with the self-signed one.")
        }
        if node.has(.redis) {
            items.append(
                "Redis binds 127.0.0.1 and asks for a password, which it reads on stdin (never on a command line); its image "
                    + "otherwise binds every address with protected-mode off. It keeps nothing on disk: it is only a cache.")
        }
        if litellm.database != nil {
            items.append(
                "PostgreSQL has a random password from a secret file, listens on 127.0.0.1 only, and asks for the password on "
                    + "its socket and on 127.0.0.1 too (the image's default trusts both).")
        }
        return items
    }

    /// Against the hand-made split-trust stack: the bind, the timeout, the keys, the database.
    var fromGuide: [String] {
        var items = [
            reach.bindsEveryAddress
                ? "LiteLLM binds every address, on the host network: \(reach.whoDecides)."
                : "LiteLLM binds 127.0.0.1 instead of `0.0.0.0`, so the LAN cannot reach it even if ufw is off.",
            "LiteLLM's request timeout is \(LiteLLMPlan.requestTimeout) s, not the 600 s often pasted into such setups: a long "
                + "reasoning or tool-calling turn runs to the end, and a proxy put in front gets the same timeout.",
            "The master key\(litellm.database != nil ? " and database URL come" : " comes") from the environment "
                + "(`os.environ/…` under `general_settings`, the only place LiteLLM reads them); the key file is loaded with "
                + "`EnvironmentFile=` and is never in the config.",
        ]
        if litellm.database != nil {
            items.append(
                "PostgreSQL has a random password from a secret file instead of `litellm`, listens on 127.0.0.1 only, and asks "
                    + "for the password on its socket and on 127.0.0.1 too (the image's default trusts both, so every process on "
                    + "the node would be superuser).")
        }
        return items
    }
}
