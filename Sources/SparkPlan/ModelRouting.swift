import SparkSpec

/// Which owner's LiteLLM routes to which model, and so which nodes may call a model's API.
///
/// An owner that lists `models` routes exactly those. An owner that lists none routes the
/// models whose cluster runs on one of its own nodes, never another owner's: calling a
/// model's vLLM port directly skips the model owner's LiteLLM (no key, no log), so a route
/// across owners has to be written down, and the model's owner has to agree to it
/// (`shared_with`, checked by ST008).
///
/// Built once per topology with indexes, so routing a fleet stays linear in its size.
struct ModelRouting {
    private let topology: Topology
    /// Nodes running a LiteLLM, by owner, in file order.
    private let litellmNodes: [String: [Node]]
    /// Owners that list a model by name, by model.
    private let listingOwners: [String: [String]]
    /// Positions (in `topology.models`) of the models with a rank on a node of the owner.
    private let modelsOnOwnersNodes: [String: [Int]]
    private let modelPositions: [String: Int]

    init(_ topology: Topology) {
        self.topology = topology
        var litellmNodes: [String: [Node]] = [:]
        for node in topology.nodes where node.apps.contains(.litellm) { litellmNodes[node.owner, default: []].append(node) }
        var listingOwners: [String: [String]] = [:]
        for owner in topology.owners {
            for name in Set(owner.models ?? []) { listingOwners[name, default: []].append(owner.name) }
        }
        var onNodes: [String: [Int]] = [:]
        var positions: [String: Int] = [:]
        for (position, model) in topology.models.enumerated() {
            positions[model.name] = positions[model.name] ?? position
            for owner in Set(Self.members(of: model).compactMap({ topology.node(named: $0)?.owner })) {
                onNodes[owner, default: []].append(position)
            }
        }
        self.litellmNodes = litellmNodes
        self.listingOwners = listingOwners
        self.modelsOnOwnersNodes = onNodes
        self.modelPositions = positions
    }

    /// The nodes whose LiteLLM routes to `model`, in file order.
    func litellmNodes(routing model: Model) -> [Node] {
        var owners = Set(listingOwners[model.name] ?? [])
        for name in Self.members(of: model) {
            if let owner = topology.node(named: name).flatMap({ topology.owner(named: $0.owner) }), owner.models == nil {
                owners.insert(owner.name)
            }
        }
        // Each node's position read once: a comparison that read `topology` copied the whole
        // routing (the topology with it) twice per comparison, for every model of a fleet.
        // The sort is stable, as before.
        let file = self.topology
        return owners.flatMap { litellmNodes[$0] ?? [] }.map { (position: file.position(ofNode: $0.name) ?? 0, node: $0) }
            .sorted { $0.position < $1.position }.map(\.node)
    }

    /// The clusters `owner`'s LiteLLM routes to, in file order; `clusters` are in the order of `topology.models`.
    func clusters<Cluster>(routedBy owner: Owner, among clusters: [Cluster]) -> [Cluster] {
        let positions = owner.models.map { Set($0.compactMap { modelPositions[$0] }) } ?? Set(modelsOnOwnersNodes[owner.name] ?? [])
        return positions.sorted().filter { $0 < clusters.count }.map { clusters[$0] }
    }

    /// True when a rank of the model (head or worker) runs on a node of `owner`.
    static func runsOnNodeOf(_ owner: String, _ model: Model, in topology: Topology) -> Bool {
        members(of: model).contains { topology.node(named: $0)?.owner == owner }
    }

    private static func members(of model: Model) -> [String] { [model.cluster.head] + model.cluster.workers }
}
