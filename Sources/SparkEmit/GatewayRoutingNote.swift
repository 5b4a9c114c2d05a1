import SparkPlan

/// The README's paragraph on how the gateways route between models: retries, fallback chains,
/// caps, and what LiteLLM cannot enforce (the keyword buckets and promotions in
/// `routing_policy.yaml`). It belongs to the gateway's planner (`LiteLLMPlan.Route`), not to the
/// index that prints it.
enum GatewayRoutingNote {
    static func text(_ plan: Plan) -> String {
        var text = ""
        if plan.nodes.contains(where: { $0.litellm?.routesBetweenModels == true }) {
            text += "Each model name is one backend, with no retries. A request that fails, or finds a model at its "
            text += "`max_parallel_requests`, goes down that model's fallbacks; a model without any, and a senior model, fails its "
            text += "own requests. The litellm-config.yaml of each node lists the chains and route names.\n\n"
            let classifies =
                plan.routes.contains { !$0.keywords.isEmpty || !$0.promotions.isEmpty }
                || plan.routingTargets.contains { !$0.textFallbacks.isEmpty }
            if classifies {
                text += "LiteLLM enforces the route names, the fallback chains, the caps (`max_parallel_requests`) and the senior "
                text += "models. It cannot read a request to choose a bucket: the keyword buckets and their tie-breaks, where "
                text += "a request with an image goes, the size promotions and a model's text-only spill are in "
                text += "`\(RoutingPolicyEmitter.fileName)` beside the config, for a router that classifies requests in front of "
                text += "LiteLLM (a router of your own that reads each request). Without one, clients pick the route name themselves.\n\n"
            }
        } else if plan.nodes.contains(where: { $0.litellm != nil }) {
            text += "Each model name is one backend. LiteLLM has no retries and no fallbacks: a backend that is down fails "
            text += "the requests for its own name at once and never answers them with another model.\n\n"
        } else {
            text += "No LiteLLM fronts these models: their callers reach each one's port directly, as the firewall allows.\n\n"
        }
        return text
    }
}
