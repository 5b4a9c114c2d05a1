import SparkPlan
import SparkSpec

/// The ports that must only ever be reachable over the DAC: model APIs, Ray's GCS and dashboard.
struct RestrictedPorts {
    /// Port → what listens there, across the whole topology.
    let all: [Int: String]

    init(_ topology: Topology) {
        var ports: [Int: String] = [:]
        for model in topology.models {
            ports[model.port] = ports[model.port] ?? "the vLLM API of model '\(model.name)'"
            let members = Set([model.cluster.head] + model.cluster.workers)
            if members.count > 1 {
                ports[model.cluster.rayPort] = ports[model.cluster.rayPort] ?? "Ray's GCS of model '\(model.name)'"
                ports[ClusterPlan.dashboardPort] = ports[ClusterPlan.dashboardPort] ?? "the Ray dashboard (job API) of model '\(model.name)'"
            }
        }
        all = ports
    }
}
