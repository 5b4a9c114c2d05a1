import SparkPlan
import SparkYAML

/// `litellm-config.yaml` for each node that runs an owner's LiteLLM.
///
/// LiteLLM ignores keys it does not know, so only keys it reads are written, and the master
/// key and database URL are read from the environment (`os.environ/…`) under `general_settings`,
/// the only place LiteLLM looks for them.
struct LiteLLMConfigEmitter {
    static let fileName = LiteLLMPlan.configFileName

    func artifacts(for plan: Plan) throws -> [Artifact] {
        try plan.nodes.compactMap { node in
            guard let litellm = node.litellm else { return nil }
            let loader =
                litellm.container == nil
                ? "litellm.service loads from its EnvironmentFile= lines" : "compose.yaml gives service '\(litellm.container ?? "")' (env_file)"
            let routing =
                litellm.routesBetweenModels
                ? [
                    "Each model name is one backend, with no retries. A request that fails, or that finds",
                    "a model at its max_parallel_requests (LiteLLM answers 429 at once), goes down that model's",
                    "fallbacks; a model without any, and a senior model (an empty chain), fails its own",
                    "requests. Route names (model_group_alias) carry the chains of the model they name.",
                ]
                : [
                    "Each model name is one backend, with no retries or fallbacks: a backend that",
                    "is down fails its own requests, never another model's.",
                ]
            let header = Header(
                plan, node: node.name,
                about: [
                    "LiteLLM proxy of owner '\(node.owner.name)'. Secrets are read from the environment that",
                    "\(loader); none is written here.",
                ] + routing)
            let body = try YAMLEmitter.emit(document(litellm))
            // It names the environment variables that hold the secrets: readable by its owner only.
            return Artifact(path: Layout.stackFile(node, Self.fileName), contents: header.comment() + body, mode: .privateFile)
                .marked { marks in mark(&marks, litellm, plan) }
        }
    }

    /// Each model entry comes from its model (or backend), the keys from the owner's secrets.
    private func mark(_ marks: inout OriginMarks, _ litellm: LiteLLMPlan, _ plan: Plan) {
        marks.items(of: "model_list:", litellm.routes.map { route in plan.routingTargets(servedAs: [route.servedName]).map(\.path) })
        if let cache = litellm.cache { marks.block("cache_params:", [cache.password.path]) }
        if litellm.routesBetweenModels {
            marks.block("router_settings:", litellm.routes.compactMap { plan.routingTargets(servedAs: [$0.servedName]).first?.path })
        }
        marks.line("master_key:", [litellm.masterKey.path])
        if let database = litellm.database { marks.line("database_url:", [database.password.path]) }
    }

    func document(_ litellm: LiteLLMPlan) -> YAMLValue {
        let models: [YAMLValue] = litellm.routes.map { route in
            var params: [(String, YAMLValue)] = [
                ("model", .string(route.model)),
                ("api_base", .string(route.apiBase)),
                // vLLM has no authentication unless it listens on the tailnet; the OpenAI client still wants a key.
                ("api_key", .string(route.apiKeyVariable.map { "os.environ/\($0)" } ?? "not-needed")),
            ]
            if let maxTokens = route.maxTokens { params.append(("max_tokens", .int(maxTokens))) }
            // Past it LiteLLM answers 429 at once (router_utils MaxParallelRequestsLimit), never queues.
            if let cap = route.maxParallelRequests { params.append(("max_parallel_requests", .int(cap))) }
            var entry: [(String, YAMLValue)] = [("model_name", .string(route.servedName)), ("litellm_params", .mapping(params))]
            var info: [(String, YAMLValue)] = []
            if route.supportsTools {
                // Without these LiteLLM does not advertise tool calling and tool calls never run.
                info += [("supports_function_calling", true), ("supports_tool_choice", true)]
            }
            if route.supportsVision { info.append(("supports_vision", true)) }
            if !info.isEmpty { entry.append(("model_info", .mapping(info))) }
            return .mapping(entry)
        }
        var general: [(String, YAMLValue)] = [("master_key", .string("os.environ/\(litellm.masterKey.variable)"))]
        if litellm.database != nil {
            general.append(("database_url", "os.environ/DATABASE_URL"))
        }
        var document: [(String, YAMLValue)] = [("model_list", .sequence(models))]
        if let cache = litellm.cache {
            // Identical requests are answered from Redis (proxy_server.py reads cache_params;
            // os.environ/ values are resolved there).
            document.append(
                (
                    "litellm_settings",
                    .mapping([
                        ("cache", true),
                        (
                            "cache_params",
                            .mapping([
                                ("type", "redis"), ("host", .string(cache.host)), ("port", .int(cache.port)),
                                ("password", .string("os.environ/\(cache.password.variable)")),
                            ])
                        ),
                    ])
                ))
        }
        return .mapping(
            document + [
                // No retries; fallbacks only where the topology names them, never a catch-all
                // (default_fallbacks would also catch a senior model). The chain's one timeout
                // (LiteLLMPlan.requestTimeout), NGINX's too where it is in front.
                ("router_settings", .mapping([("num_retries", 0), ("timeout", .int(LiteLLMPlan.requestTimeout))] + routing(litellm))),
                ("general_settings", .mapping(general)),
            ])
    }

    /// Fallback chains, keyed by every name a client may call (LiteLLM looks them up under the
    /// name asked for, so a route name carries its model's chain), and the route names.
    private func routing(_ litellm: LiteLLMPlan) -> [(String, YAMLValue)] {
        guard litellm.routesBetweenModels else { return [] }
        var chains: [YAMLValue] = []
        for route in litellm.routes where !route.fallbacks.isEmpty || route.senior {
            let chain = YAMLValue.sequence(route.senior ? [] : route.fallbacks.map { .string($0) })
            let names = [route.servedName] + litellm.aliases.filter { $0.servedName == route.servedName }.map(\.name)
            chains += names.map { .mapping([($0, chain)]) }
        }
        var settings: [(String, YAMLValue)] = []
        if !chains.isEmpty { settings.append(("fallbacks", .sequence(chains))) }
        if !litellm.aliases.isEmpty {
            settings.append(("model_group_alias", .mapping(litellm.aliases.map { ($0.name, .string($0.servedName)) })))
        }
        return settings
    }
}
