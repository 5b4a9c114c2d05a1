import SparkDiagnostics
import SparkSpec

/// The secret files of a node, by reference only: its apps' placements, the keys of the models
/// it serves or calls on the tailnet, gateway offer keys and each cluster's Ray token.
extension PlanResolver {
    /// A compose-run LiteLLM loads every secret file it reads, the keys of the models it calls on
    /// the tailnet included (its kind knows only the owner's). The workload is copied and only its
    /// secret files change, so every other field (its healthcheck among them) is kept.
    static func loadingEveryKey(_ workload: Workload, _ secrets: [SecretFile]) -> Workload {
        guard workload.name == App.litellm.containerName else { return workload }
        let missing = secrets.filter { $0.readers.contains(App.litellm.rawValue) && !workload.environmentFiles.contains($0.path) }.map(\.path)
        guard !missing.isEmpty else { return workload }
        var loading = workload
        loading.environmentFiles += missing
        return loading
    }

    /// The keys of models that listen on the tailnet: their head makes each, and a node whose
    /// LiteLLM calls one from elsewhere copies the head's file.
    static func tailnetKeys(_ node: Node, roles: [ClusterRole], routed: [ClusterPlan]) -> [SecretPlacement] {
        var placements: [SecretPlacement] = []
        for role in roles where role.kind == .head && role.cluster.listen == .tailnet {
            guard let key = role.cluster.apiKey else { continue }
            placements.append(SecretPlacement(secret: key, variables: [key.variable], readers: ["vllm"]))
        }
        let group = AppContext.composeReaderGroup(of: node)
        for cluster in routed where cluster.listen == .tailnet {
            guard let key = cluster.apiKey else { continue }
            let source: SecretFile.Source =
                cluster.head.name == node.name
                ? .generated : .copied(node: cluster.head.name, path: key.file.absolute(home: cluster.head.home))
            placements.append(SecretPlacement(secret: key, variables: [key.variable], readers: [App.litellm.rawValue], source: source, group: group))
        }
        return placements
    }

    /// The keys of gateway offers: the offering gateway mints each, limited to the offered
    /// models; each of the other owner's gateways copies it for its LiteLLM.
    static func offerKeys(_ node: Node, offers: [OfferPlan], topology: Topology) -> [SecretPlacement] {
        var placements: [SecretPlacement] = []
        for offer in offers {
            if offer.gateway == node.name {
                placements.append(
                    SecretPlacement(
                        secret: offer.key, variables: [offer.key.variable], readers: ["\(offer.to)'s LiteLLM"],
                        source: .virtualKey(app: offer.keyAlias, models: offer.servedNames)))
            } else if offer.receivers.contains(node.name), let gateway = topology.node(named: offer.gateway) {
                placements.append(
                    SecretPlacement(
                        secret: offer.key, variables: [offer.key.variable], readers: [App.litellm.rawValue],
                        source: .copied(node: gateway.name, path: offer.key.file.absolute(home: gateway.home)),
                        group: AppContext.composeReaderGroup(of: node)))
            }
        }
        return placements
    }

    /// The secret files a node needs: its apps' placements, then each cluster's Ray token; two
    /// secrets in one file become one entry.
    static func secretFiles(for node: Node, placements: [SecretPlacement], roles: [ClusterRole]) -> [SecretFile] {
        var files: [(path: String, variables: [String], readers: [String], source: SecretFile.Source, group: String?, values: [String: SecretValue])] = []
        func add(_ placement: SecretPlacement) {
            let path = placement.secret.file.absolute(home: node.home)
            if let index = files.firstIndex(where: { $0.path == path }) {
                files[index].variables += placement.variables.filter { !files[index].variables.contains($0) }
                files[index].readers += placement.readers.filter { !files[index].readers.contains($0) }
                files[index].group = files[index].group ?? placement.group
                files[index].values.merge(placement.values) { first, _ in first }
            } else {
                files.append((path, placement.variables, placement.readers, placement.source, placement.group, placement.values))
            }
        }
        placements.forEach(add)
        for role in roles where role.cluster.isMultiNode {
            guard let token = role.cluster.runtime.rayToken else { continue }
            // One token per cluster: the head makes it, each worker copies the head's file.
            let head = role.cluster.head
            let source: SecretFile.Source = role.kind == .worker ? .copied(node: head.name, path: token.file.absolute(home: head.home)) : .generated
            add(SecretPlacement(secret: token, variables: [token.variable], readers: ["ray"], source: source))
        }
        return files.map {
            SecretFile(path: $0.path, variables: $0.variables, readers: $0.readers, source: $0.source, group: $0.group, values: $0.values)
        }
    }
}
