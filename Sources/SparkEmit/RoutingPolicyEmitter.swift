import SparkPlan
import SparkSpec
import SparkYAML

/// `routing_policy.yaml` beside a LiteLLM config that routes between models: what a router that
/// classifies requests needs and LiteLLM cannot express (document 003's homelab-router): keyword
/// buckets in tie-break order, where image-bearing requests go, size promotions, and the
/// text-only spill of a model. LiteLLM never reads it; the chains, caps and senior models it
/// repeats are the ones litellm-config.yaml enforces.
struct RoutingPolicyEmitter {
    static let fileName = "routing_policy.yaml"

    func artifacts(for plan: Plan) throws -> [Artifact] {
        try plan.nodes.compactMap { node in
            guard let litellm = node.litellm, litellm.routesBetweenModels else { return nil }
            let routed = Set(litellm.routes.map(\.servedName))
            let routes = plan.routes(servedAs: routed)
            let targets = plan.routingTargets(servedAs: routed)
            let classifies = routes.contains { !$0.keywords.isEmpty || !$0.promotions.isEmpty } || targets.contains { !$0.textFallbacks.isEmpty }
            guard classifies else { return nil }
            let header = Header(
                plan, node: node.name,
                about: [
                    "Routing policy for a router of your own that classifies requests, in front of",
                    "the LiteLLM on \(litellm.bindAddress):\(litellm.port). LiteLLM enforces the route names, fallbacks, caps and senior",
                    "models of \(LiteLLMConfigEmitter.fileName), and reads nothing here. This file adds what it cannot: keyword",
                    "buckets (tie-breaks in the order listed), where a request with an image goes, size promotions,",
                    "and where a request without an image spills first.",
                ])
            return Artifact(
                path: Layout.stackFile(node, Self.fileName),
                contents: header.comment() + (try YAMLEmitter.emit(document(routes, targets: targets, plan: plan)))
            )
            .marked { marks in
                // In the document's order: each bucket from its route, each chain from its model.
                marks.entries(of: "buckets:", routes.map { [$0.path] })
                let promoted = routes.filter { !$0.promotions.isEmpty }
                if !promoted.isEmpty { marks.entries(of: "size_promotions:", promoted.map { [$0.path] }) }
                let chained = targets.filter { !$0.fallbacks.isEmpty || !$0.textFallbacks.isEmpty || $0.senior }
                if !chained.isEmpty { marks.entries(of: "fallbacks:", chained.map { [$0.path] }) }
            }
        }
    }

    private func document(_ routes: [RouteAlias], targets: [RoutingTarget], plan: Plan) -> YAMLValue {
        // The name clients call a model or backend by.
        let name = { (key: String) in plan.routingTarget(named: key)?.servedName ?? key }
        let vision = Dictionary(targets.map { ($0.name, $0.vision) }, uniquingKeysWith: { first, _ in first })
        var document: [(String, YAMLValue)] = []
        let buckets: [(String, YAMLValue)] = routes.map { route in
            var entry: [(String, YAMLValue)] = [("target", .string(name(route.model)))]
            if !route.keywords.isEmpty { entry.append(("keywords", .sequence(route.keywords.map { .string($0) }))) }
            if vision[route.model] == true { entry.append(("reads_images", true)) }
            return (route.name, .mapping(entry))
        }
        document.append(("buckets", .mapping(buckets)))
        document.append(("tie_breaks", .sequence(routes.filter { !$0.keywords.isEmpty }.map { .string($0.name) })))
        // Image-bearing requests go to the first route whose model reads images, whatever the keywords.
        if let images = routes.first(where: { vision[$0.model] == true }) {
            document.append(("image_requests", .string(name(images.model))))
        }
        let promotions: [(String, YAMLValue)] = routes.filter { !$0.promotions.isEmpty }.map { route in
            (route.name, .sequence(route.promotions.map { .mapping([("over_tokens", .int($0.overTokens)), ("target", .string(name($0.model)))]) }))
        }
        if !promotions.isEmpty { document.append(("size_promotions", .mapping(promotions))) }
        let chains: [(String, YAMLValue)] = targets.filter { !$0.fallbacks.isEmpty || !$0.textFallbacks.isEmpty || $0.senior }.map { target in
            if target.senior { return (name(target.name), .mapping([("senior", true), ("chain", .sequence([]))])) }
            var entry: [(String, YAMLValue)] = []
            let chain = target.fallbacks.map { YAMLValue.string(name($0)) }
            if target.textFallbacks.isEmpty {
                entry.append(("chain", .sequence(chain)))
            } else {
                // A request without an image spills to the text-only models first, then follows the chain.
                entry.append(("text", .sequence(target.textFallbacks.map { .string(name($0)) } + chain)))
                entry.append(("image", .sequence(chain)))
            }
            if let cap = target.cap { entry.append(("busy_after", .int(cap))) }
            return (name(target.name), .mapping(entry))
        }
        if !chains.isEmpty { document.append(("fallbacks", .mapping(chains))) }
        return .mapping(document)
    }
}
