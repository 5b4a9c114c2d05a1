import SparkPlan

/// The ports that must only ever be reachable over the DAC: model APIs and every Ray listener
/// that runs code (GCS, dashboard and job API, client server, dashboard agent).
struct RestrictedPorts {
    /// Port → what listens there, across the whole topology.
    let all: [Int: String]
    /// Node → port → what listens there on that node: two nodes may serve two models on one port.
    private let byNode: [String: [Int: String]]

    init(_ plan: Plan) {
        var ports: [Int: String] = [:]
        var byNode: [String: [Int: String]] = [:]
        for cluster in plan.clusters {
            for (port, what) in cluster.clusterOnlyPorts {
                if ports[port] == nil { ports[port] = what }
                for member in cluster.members where byNode[member.name]?[port] == nil {
                    byNode[member.name, default: [:]][port] = what
                }
            }
        }
        all = ports
        self.byNode = byNode
    }

    /// What listens on `port` on the first of `nodes` that has it, else anywhere in the fleet.
    func what(_ port: Int, on nodes: [String]) -> String? {
        nodes.lazy.compactMap { byNode[$0]?[port] }.first ?? all[port]
    }
}
