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
            let loader = litellm.container == nil
                ? "litellm.service loads from its EnvironmentFile= lines" : "compose.yaml gives service '\(litellm.container ?? "")' (env_file)"
            let header = Header(plan, node: node.name, about: [
                "LiteLLM proxy of owner '\(node.owner.name)'. Secrets are read from the environment that",
                "\(loader); none is written here.",
                "Each model name is one backend, with no retries or fallbacks: a backend that",
                "is down fails its own requests, never another model's.",
            ])
            let body = try YAMLEmitter.emit(document(litellm))
            // It names the environment variables that hold the secrets: readable by its owner only.
            return Artifact(path: Layout.stackFile(node, Self.fileName), contents: header.comment() + body, mode: .privateFile)
        }
    }

    func document(_ litellm: LiteLLMPlan) -> YAMLValue {
        let models: [YAMLValue] = litellm.routes.map { route in
            var params: [(String, YAMLValue)] = [
                ("model", .string(route.model)),
                ("api_base", .string(route.apiBase)),
                // vLLM has no authentication; the OpenAI client still wants a key.
                ("api_key", "not-needed"),
            ]
            if let maxTokens = route.maxTokens { params.append(("max_tokens", .int(maxTokens))) }
            var entry: [(String, YAMLValue)] = [("model_name", .string(route.servedName)), ("litellm_params", .mapping(params))]
            if route.supportsTools {
                // Without these LiteLLM does not advertise tool calling and tool calls never run.
                entry.append(("model_info", .mapping([("supports_function_calling", true), ("supports_tool_choice", true)])))
            }
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
            document.append(("litellm_settings", .mapping([
                ("cache", true),
                ("cache_params", .mapping([
                    ("type", "redis"), ("host", .string(cache.host)), ("port", .int(cache.port)),
                    ("password", .string("os.environ/\(cache.password.variable)")),
                ])),
            ])))
        }
        return .mapping(document + [
            // No retries or fallbacks: a failing backend is reported, not silently replaced.
            ("router_settings", .mapping([("num_retries", 0), ("timeout", 600)])),
            ("general_settings", .mapping(general)),
        ])
    }
}
