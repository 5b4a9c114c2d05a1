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
        Dictionary(plan.routingTargets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Models, then backends, in file order.
    func routingOrder() -> [String] { plan.routingTargets.map(\.name) }
}
