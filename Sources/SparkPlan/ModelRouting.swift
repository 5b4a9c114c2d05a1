import SparkSpec

/// Which owner's LiteLLM routes to which model, and so which nodes may call a model's API.
///
/// An owner that lists `models` routes exactly those. An owner that lists none routes the
/// models whose cluster runs on one of its own nodes, never another owner's: calling a
/// model's vLLM port directly skips the model owner's LiteLLM (no key, no log), so a route
/// across owners has to be written down, and the model's owner has to agree to it
/// (`shared_with`, checked by ST008).
public enum ModelRouting {
    public static func routes(_ owner: Owner, to model: Model, in topology: Topology) -> Bool {
        if let listed = owner.models { return listed.contains(model.name) }
        return runsOnNodeOf(owner.name, model, in: topology)
    }

    /// True when a rank of the model (head or worker) runs on a node of `owner`.
    public static func runsOnNodeOf(_ owner: String, _ model: Model, in topology: Topology) -> Bool {
        ([model.cluster.head] + model.cluster.workers).contains { topology.node(named: $0)?.owner == owner }
    }
}
