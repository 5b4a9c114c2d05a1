import SparkPlan
import SparkSpec

extension RuleContext {
    /// The nodes of a model's cluster, head first, each once (a worker written twice, or the
    /// head written as a worker, is ClusterMembershipRule's finding, not a second node).
    func members(of cluster: ClusterPlan) -> [ClusterMember] {
        // A cluster has a handful of members (most models one): a search of the few kept
        // costs less than hashing each name into a Set, which rules asked for every model.
        let all = cluster.members
        guard all.count > 1 else { return all }
        var unique: [ClusterMember] = []
        unique.reserveCapacity(all.count)
        for member in all where !unique.contains(where: { $0.name == member.name }) { unique.append(member) }
        return unique
    }

    /// The home directories of each owner's nodes, computed once for rules that compare owners.
    func homesByOwner() -> [String: Set<String>] {
        plan.nodes.reduce(into: [:]) { homes, node in homes[node.owner.name, default: []].insert(node.home) }
    }

    /// The models whose cluster includes each node, in file order, built in one pass.
    func modelsByNode() -> [String: [ClusterPlan]] {
        var models: [String: [ClusterPlan]] = [:]
        for cluster in plan.clusters {
            for member in members(of: cluster) { models[member.name, default: []].append(cluster) }
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
