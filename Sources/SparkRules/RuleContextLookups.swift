import SparkPlan
import SparkSpec

extension RuleContext {
    /// The nodes a model's cluster names that exist, head first, each once.
    func members(of model: Model) -> [Node] {
        var seen = Set<String>()
        return ([model.cluster.head] + model.cluster.workers).compactMap { name in
            guard seen.insert(name).inserted else { return nil }
            return topology.node(named: name)
        }
    }

    /// The home directories of each owner's nodes, computed once for rules that compare owners.
    func homesByOwner() -> [String: Set<String>] {
        topology.nodes.reduce(into: [:]) { homes, node in homes[node.owner, default: []].insert(node.home) }
    }

    /// The models whose cluster includes each node, in file order, built in one pass.
    func modelsByNode() -> [String: [Model]] {
        var models: [String: [Model]] = [:]
        for model in topology.models {
            for member in members(of: model) { models[member.name, default: []].append(model) }
        }
        return models
    }
}

extension Double {
    /// A number for messages: `121`, `96.8`, never `96.80000000000001`.
    var shortText: String {
        let rounded = (self * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

extension RuleContext {
    /// Every model and backend by name (the first of a name wins, as lookups do elsewhere).
    func routingTargets() -> [String: RoutingTarget] {
        let routing = ModelRouting(topology)
        var targets: [String: RoutingTarget] = [:]
        for model in topology.models where targets[model.name] == nil {
            targets[model.name] = RoutingTarget(
                name: model.name, vision: model.vision, fallbacks: model.fallbacks, senior: model.senior, path: model.path,
                proxies: Set(routing.litellmNodes(routing: model).map(\.name)))
        }
        for backend in topology.backends where targets[backend.name] == nil {
            let tailnet = topology.host(named: backend.host)?.tailnet
            let proxies = topology.nodes.filter { node in
                node.apps.contains(.litellm) && (node.tailnet ?? topology.owner(named: node.owner)?.tailnet) == tailnet
            }.map(\.name)
            targets[backend.name] = RoutingTarget(
                name: backend.name, vision: backend.vision, fallbacks: backend.fallbacks, senior: backend.senior, path: backend.path,
                proxies: Set(proxies))
        }
        return targets
    }

    /// Models, then backends, in file order, with fallbacks or the senior mark.
    func routingOrder() -> [String] { topology.models.map(\.name) + topology.backends.map(\.name) }
}
