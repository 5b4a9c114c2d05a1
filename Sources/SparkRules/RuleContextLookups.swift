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

    /// The absolute paths a secret reference names on the nodes of `owner`: `~/x` and
    /// `/home/u/x` are one file on a node whose user's home is /home/u.
    func paths(of secret: SecretRef, onNodesOf owner: String) -> Set<String> {
        Set(topology.nodes.filter { $0.owner == owner }.map { secret.file.absolute(home: $0.home) })
    }

    /// True when two references name the same variable in the same file: written alike, or
    /// resolving to one absolute path on a node of either owner.
    func sameSecret(_ a: SecretRef, of ownerA: String, _ b: SecretRef, of ownerB: String) -> Bool {
        guard a.variable == b.variable else { return false }
        if a.file == b.file { return true }
        let homes = Set(topology.nodes.filter { $0.owner == ownerA || $0.owner == ownerB }.map(\.home))
        return homes.contains { a.file.absolute(home: $0) == b.file.absolute(home: $0) }
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
