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

    /// The models whose cluster includes `node`.
    func models(on node: Node) -> [Model] {
        topology.models.filter { model in members(of: model).contains { $0.name == node.name } }
    }
}

extension Double {
    /// A number for messages: `121`, `96.8`, never `96.80000000000001`.
    var shortText: String {
        let rounded = (self * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
