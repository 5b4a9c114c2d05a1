import SparkDiagnostics
import SparkSpec

/// What the models a node runs add to its plan: their listeners (server, Ray's GCS and node
/// ports) and the compose workloads that serve them.
extension PlanResolver {
    /// The listeners of the models a node heads: each model's server (one for the models a shared
    /// Ollama serves, one for the models of a catalog, which take turns on its port) and, for a
    /// Ray cluster, its GCS (one per catalog, admitting the workers of every model in it).
    static func clusterServices(node: Node, roles: [ClusterRole]) -> [Service] {
        var services: [Service] = []
        var shared: [String: Int] = [:]  // compose service, catalog or catalog GCS → index in services
        for role in roles where role.kind == .head {
            let cluster = role.cluster
            var exposure = Service.Exposure.localOnly
            if let link = cluster.link?.name, !cluster.callers.isEmpty { exposure = .linkPeers(link: link, cluster.callers) }
            if let catalog = cluster.catalog, let panel = catalog.panel, let link = catalog.panelLink {
                exposure = .hosts(link: link, [panel.name])
            }
            if cluster.listen == .tailnet { exposure = .tailnetPeers(cluster.callers) }
            let name = "\(cluster.runtime.kind.rawValue) \(cluster.servedName)"
            let sharedKey = cluster.catalog.map { "catalog " + $0.name } ?? cluster.serviceName
            if let key = sharedKey, let index = shared[key] {
                // A second model of the same server or catalog adds no socket; its name joins the listener's.
                let first = services[index]
                services[index] = Service(
                    role: first.role, name: first.name + ", " + cluster.servedName, port: first.port, bindAddress: first.bindAddress,
                    exposure: first.exposure, path: first.path, manualStart: first.manualStart && cluster.start == .manual)
            } else {
                if let key = sharedKey { shared[key] = services.count }
                services.append(
                    Service(
                        role: .modelAPI(model: cluster.name), name: name, port: cluster.port,
                        bindAddress: cluster.apiHost, exposure: exposure, path: cluster.path / "port",
                        manualStart: cluster.start == .manual))
            }
            guard cluster.isMultiNode, let link = cluster.link?.name else { continue }
            // Every Ray release binds GCS to every address, whatever --node-ip-address says
            // (see ClusterPlan.defaultRayVersion): the firewall and the tailnet policy keep it in.
            let workers = cluster.workers.map(\.name)
            let gcsKey = cluster.catalog.map { "gcs \($0.name) \(cluster.rayPort)" }
            if let gcsKey, let index = shared[gcsKey] {
                let first = services[index]
                guard case .linkPeers(let firstLink, let peers) = first.exposure, firstLink == link else { continue }
                services[index] = Service(
                    role: first.role, name: first.name, port: first.port, bindAddress: first.bindAddress,
                    exposure: .linkPeers(link: link, peers + workers.filter { !peers.contains($0) }), path: first.path,
                    manualStart: first.manualStart)
                continue
            }
            if let gcsKey { shared[gcsKey] = services.count }
            // A catalog's Ray runs only while one of its multi-node models is the active one.
            services.append(
                Service(
                    role: .rayGCS(model: cluster.name), name: "ray gcs",
                    port: cluster.rayPort, bindAddress: Service.everyAddress, exposure: .linkPeers(link: link, workers),
                    path: cluster.clusterPath / "ray_port", manualStart: cluster.catalog != nil))
        }
        return services + rayNodeServices(node: node, roles: roles)
    }

    /// Ray's other listeners on a member of a multi-node cluster (ClusterPlan.rayNodeListeners),
    /// reached by the other members over the cluster's link; one set per catalog on a node, whose
    /// models run Ray one at a time. Two clusters that claim one port stay two: CL008 reports them.
    static func rayNodeServices(node: Node, roles: [ClusterRole]) -> [Service] {
        var services: [Service] = []
        var shared: [String: Int] = [:]  // catalog and port → index in services
        for role in roles where role.cluster.isMultiNode {
            let cluster = role.cluster
            guard let link = cluster.link?.name, let own = node.address(on: link) else { continue }
            let peers = cluster.members.map(\.name).filter { $0 != node.name }
            for listener in cluster.rayNodeListeners {
                let key = cluster.catalog.map { "\($0.name) \(listener.port)" }
                if let key, let index = shared[key] {
                    let first = services[index]
                    guard case .linkPeers(let firstLink, let known) = first.exposure, firstLink == link else { continue }
                    services[index] = Service(
                        role: first.role, name: first.name, port: first.port, bindAddress: first.bindAddress,
                        exposure: .linkPeers(link: link, known + peers.filter { !known.contains($0) }), path: first.path,
                        manualStart: first.manualStart)
                    continue
                }
                if let key { shared[key] = services.count }
                services.append(
                    Service(
                        role: .rayNode(model: cluster.name), name: listener.name, port: listener.port,
                        bindAddress: listener.everyAddress ? Service.everyAddress : own.ip.description,
                        exposure: .linkPeers(link: link, peers), path: cluster.clusterPath, manualStart: cluster.catalog != nil))
            }
        }
        return services
    }

    /// The compose services serving models, by head node, in model order. Models that share a
    /// server (Ollama) must agree on what it is; the first never silently wins.
    static func modelWorkloads(_ clusters: [ClusterPlan], into bag: inout DiagnosticBag) -> [String: [Workload]] {
        var workloads: [String: [Workload]] = [:]
        var firstModel: [String: ClusterPlan] = [:]  // "node/service" → the model that made it
        for cluster in clusters {
            guard let workload = cluster.workload else { continue }
            let key = cluster.head.name + "/" + workload.name
            guard let first = firstModel[key] else {
                firstModel[key] = cluster
                workloads[cluster.head.name, default: []].append(workload)
                continue
            }
            let server = "the \(cluster.runtime.kind.title) server '\(workload.name)' on node '\(cluster.head.name)'"
            if first.runtime.kind != cluster.runtime.kind {
                bag.error(
                    .resolveSharingConflict,
                    "models '\(first.name)' and '\(cluster.name)' both need the compose service '\(workload.name)' on node '\(cluster.head.name)'",
                    at: cluster.path, help: "rename one of the models")
            } else if first.image != cluster.image {
                bag.error(
                    .resolveSharingConflict,
                    "model '\(cluster.name)' runs \(server) from \(cluster.image), but model '\(first.name)' runs it from \(first.image)",
                    at: cluster.runtime.path / "image",
                    help: "one server serves both models: give them one image, or give one model another 'port' (a second server)")
            } else if first.ollama?.contextLength != cluster.ollama?.contextLength {
                let length = { (model: ClusterPlan) in model.ollama?.contextLength.map(String.init) ?? "Ollama's default" }
                bag.error(
                    .resolveSharingConflict,
                    "model '\(cluster.name)' asks \(server) for context_length \(length(cluster)), but model '\(first.name)' for \(length(first))",
                    at: cluster.ollama.map { $0.path / "context_length" } ?? cluster.path,
                    help: "the server's context length is one for all its models: give them one, or give one model another 'port' (a second server)")
            } else if first.start != cluster.start {
                bag.error(
                    .resolveSharingConflict,
                    "model '\(cluster.name)' starts \(cluster.start.rawValue) but shares \(server) with model '\(first.name)', which starts \(first.start.rawValue)",
                    at: cluster.path / "start",
                    help: "a server starts with all its models: give them one start policy, or give one model another 'port' (a second server)")
            }
        }
        return workloads
    }
}
