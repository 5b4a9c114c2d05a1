import SparkPlan

/// The ports that must only ever be reachable over the DAC: model APIs and every Ray listener
/// that runs code (GCS, dashboard and job API, client server, dashboard agent).
struct RestrictedPorts {
    /// Port → what listens there, across the whole topology.
    let all: [Int: String]

    init(_ plan: Plan) {
        var ports: [Int: String] = [:]
        for cluster in plan.clusters {
            for (port, what) in cluster.clusterOnlyPorts where ports[port] == nil {
                ports[port] = what
            }
        }
        all = ports
    }
}
