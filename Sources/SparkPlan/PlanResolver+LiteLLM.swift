import SparkDiagnostics
import SparkSpec

/// The LiteLLM proxy of a node: the routes it serves (its owner's models, the tailnet's
/// backends, the models offered to it), its database, its cache and where it listens.
extension PlanResolver {
    static func litellm(
        for node: Node, topology: Topology, owner: Owner, routes listed: [ClusterPlan], backends: [BackendPlan], aliases: RouteAliasIndex, offered: [OfferPlan]
    ) -> LiteLLMPlan? {
        guard node.apps.contains(.litellm), let port = node.port(of: .litellm), let masterKey = owner.masterKey else { return nil }
        // Fallbacks and route names reach only models this LiteLLM routes (FallbackRule reports the rest).
        var served: [String: String] = [:]
        for cluster in listed { served[cluster.name] = cluster.servedName }
        for backend in backends { served[backend.name] = backend.name }
        let external = backends.map { backend in
            LiteLLMPlan.Route(
                servedName: backend.name, model: "openai/\(backend.model)", apiBase: backend.apiBase, supportsTools: false, maxTokens: nil,
                supportsVision: backend.vision, maxParallelRequests: backend.maxParallelRequests,
                fallbacks: backend.fallbacks.compactMap { served[$0] }, senior: backend.senior, apiKeyVariable: backend.apiKey?.variable)
        }
        let routes = listed.map { cluster in
            LiteLLMPlan.Route(
                servedName: cluster.servedName, model: cluster.litellmModel, apiBase: cluster.apiBase,
                supportsTools: cluster.vllm.toolCallParser != nil, maxTokens: cluster.maxTokens,
                supportsVision: cluster.vision, maxParallelRequests: cluster.cap,
                fallbacks: cluster.fallbacks.compactMap { served[$0] }, senior: cluster.senior,
                apiKeyVariable: cluster.listen == .tailnet ? cluster.apiKey?.variable : nil)
        }
        // Another owner's gateway: each offered model through its LiteLLM, with the key it minted.
        let offeredRoutes = offered.flatMap { offer in
            zip(offer.servedNames, offer.capabilities).map { name, can in
                LiteLLMPlan.Route(
                    servedName: name, model: "openai/\(name)", apiBase: offer.apiBase, supportsTools: can.tools, maxTokens: can.maxTokens,
                    supportsVision: can.vision, apiKeyVariable: offer.key.variable)
            }
        }
        let allRoutes = routes + external + offeredRoutes
        let groupAliases = aliases.naming(served.keys).compactMap { alias in served[alias.model].map { (name: alias.name, servedName: $0) } }
        var database: LiteLLMPlan.Database?
        if node.apps.contains(.litellmDB), let password = owner.dbPassword, let dbPort = node.port(of: .litellmDB) {
            let host = node.appOptions[.litellmDB]?.listen?.description ?? loopback
            database = .init(host: host, port: dbPort, password: password)
        }
        let container = node.appOptions[.litellm]?.runner == .compose ? App.litellm.containerName : nil
        var cache: LiteLLMPlan.Cache?
        if node.apps.contains(.redis), let password = owner.redisPassword, let cachePort = node.port(of: .redis) {
            cache = .init(host: node.appOptions[.redis]?.listen?.description ?? loopback, port: cachePort, password: password)
        }
        var plan = LiteLLMPlan(
            port: port, bindAddress: loopback, routes: allRoutes, masterKey: masterKey, database: database, container: container,
            cache: cache, aliases: groupAliases)
        if OfferPlan.bindsEveryAddress(node, in: topology) { plan.listenAddress = Service.everyAddress }
        return plan
    }
}
