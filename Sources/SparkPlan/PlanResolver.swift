import SparkDiagnostics
import SparkSpec

/// Resolves the references of a `Topology` and derives the `Plan`.
///
/// Findings are reported at spec paths; the pipeline turns them into file positions.
public enum PlanResolver {
    public static let loopback = "127.0.0.1"

    public static func resolve(_ topology: Topology, sourceName: String) -> (plan: Plan?, diagnostics: [Diagnostic]) {
        var bag = DiagnosticBag()
        checkReferences(topology, into: &bag)
        guard !bag.hasErrors else { return (nil, bag.diagnostics) }

        let clusters = topology.models.map { model -> ClusterPlan in
            let head = topology.node(named: model.cluster.head)!
            let workers = model.cluster.workers.compactMap { topology.node(named: $0) }
            // A node calls the model over the DAC only when its owner's LiteLLM routes to it.
            let callers = topology.nodes.filter { node in
                guard node.name != head.name, node.apps.contains(.litellm), let owner = topology.owner(named: node.owner) else { return false }
                return ModelRouting.routes(owner, to: model, in: topology)
            }
            let apiHost: String
            switch model.listen {
            case .dac: apiHost = head.dacIP.description
            case .loopback: apiHost = loopback
            case .address(let address): apiHost = address.description
            case nil: apiHost = callers.isEmpty ? loopback : head.dacIP.description
            }
            return ClusterPlan(model: model, head: head, workers: workers, apiHost: apiHost, callers: callers.map(\.name))
        }
        let hosts = topology.nodes.map { (ip: $0.mgmtIP.description, name: $0.name) }
        let nodes = topology.nodes.map { node -> NodePlan in
            let owner = topology.owner(named: node.owner)!
            let roles = clusters.compactMap { cluster -> ClusterRole? in
                if cluster.head.name == node.name { return ClusterRole(kind: .head, cluster: cluster) }
                if cluster.workers.contains(where: { $0.name == node.name }) { return ClusterRole(kind: .worker, cluster: cluster) }
                return nil
            }
            return NodePlan(
                node: node, owner: owner, tailnet: topology.tailnet(named: node.tailnet ?? owner.tailnet)!,
                stackDir: topology.stack.dir.absolute(home: node.home),
                dacInterface: node.dacInterface ?? topology.links.dac.interface, dacHCA: node.dacHCA ?? topology.links.dac.hca,
                mgmtInterface: topology.links.mgmt.interface,
                services: services(for: node, roles: roles, topology: topology),
                litellm: litellm(for: node, owner: owner, clusters: clusters, topology: topology),
                secretFiles: secretFiles(for: node, owner: owner, roles: roles), clusterRoles: roles, hostsEntries: hosts)
        }
        let tailnets = topology.tailnets.map { tailnet in
            let owners = topology.owners.filter { $0.tailnet == tailnet.name }.map(\.name)
            let members = nodes.filter { $0.tailnet.name == tailnet.name }
            return TailnetPlan(
                tailnet: tailnet, owners: owners, nodes: members,
                policy: TailnetPolicyPlanner.policy(tailnet, nodes: members, clusters: clusters))
        }
        let plan = Plan(topology: topology, sourceName: sourceName, nodes: nodes, clusters: clusters, tailnets: tailnets)
        return (plan, bag.diagnostics)
    }

    /// The reference errors of a topology that has structural errors too, so one run reports
    /// both; a name declared in the file whose entry had an error is not called unknown.
    public static func referenceErrors(_ partial: Topology, declared: Set<String>) -> [Diagnostic] {
        var bag = DiagnosticBag()
        checkReferences(partial, declared: declared, into: &bag)
        return bag.diagnostics
    }

    private static func checkReferences(_ topology: Topology, declared: Set<String> = [], into bag: inout DiagnosticBag) {
        func unknown(_ kind: String, _ name: String, at path: SpecPath, among names: [String]) {
            guard !declared.contains(name) else { return }
            let hint = Suggestion.nearest(to: name, in: names).map { "did you mean '\($0)'? " } ?? ""
            let known = names.isEmpty ? "none are defined" : "defined \(kind)s: \(names.joined(separator: ", "))"
            bag.error("unknown \(kind) '\(name)'", at: path, help: "\(hint)\(known)")
        }
        let tailnetNames = topology.tailnets.map(\.name)
        let ownerNames = topology.owners.map(\.name)
        let nodeNames = topology.nodes.map(\.name)
        for owner in topology.owners where !tailnetNames.contains(owner.tailnet) {
            unknown("tailnet", owner.tailnet, at: owner.path / "tailnet", among: tailnetNames)
        }
        for node in topology.nodes {
            if let tailnet = node.tailnet, !tailnetNames.contains(tailnet) {
                unknown("tailnet", tailnet, at: node.path / "tailnet", among: tailnetNames)
            }
            for (app, options) in node.appOptions {
                guard let target = options.litellm else { continue }
                if !nodeNames.contains(target) {
                    unknown("node", target, at: options.path / "litellm", among: nodeNames)
                } else if declared.isEmpty, topology.node(named: target)?.apps.contains(.litellm) != true {
                    bag.error(
                        "app '\(app.rawValue)' on node '\(node.name)' talks to the LiteLLM of node '\(target)', which runs none",
                        at: options.path / "litellm", help: "add litellm to the apps of '\(target)', or remove this setting")
                }
            }
            guard let owner = topology.owner(named: node.owner) else {
                unknown("owner", node.owner, at: node.path / "owner", among: ownerNames)
                continue
            }
            // With a partial topology (declared names given) a missing value may only have failed to decode.
            if declared.isEmpty, node.apps.contains(.litellmDB), owner.dbPassword == nil {
                bag.error(
                    "node '\(node.name)' runs litellm-db but owner '\(owner.name)' has no db_password", at: node.path / "apps",
                    help: "add 'db_password: {file: \"~/.\(owner.name)-litellm-db.env\"}' to owner '\(owner.name)'")
            }
        }
        for tailnet in topology.tailnets {
            for (shares, key) in [(tailnet.shares, "with"), (tailnet.accepts, "from")] {
                for share in shares {
                    if !tailnetNames.contains(share.tailnet) {
                        unknown("tailnet", share.tailnet, at: share.path / key, among: tailnetNames)
                    }
                    for (index, name) in share.nodes.enumerated() where !nodeNames.contains(name) {
                        unknown("node", name, at: share.path / "nodes" / index, among: nodeNames)
                    }
                }
            }
        }
        for model in topology.models {
            for (index, name) in model.sharedWith.enumerated() where !ownerNames.contains(name) {
                unknown("owner", name, at: model.path / "shared_with" / index, among: ownerNames)
            }
            let cluster = model.cluster
            if !nodeNames.contains(cluster.head) {
                unknown("node", cluster.head, at: cluster.path / "head", among: nodeNames)
            }
            for (index, worker) in cluster.workers.enumerated() where !nodeNames.contains(worker) {
                unknown("node", worker, at: cluster.path / "workers" / index, among: nodeNames)
            }
        }
    }

    private static func services(for node: Node, roles: [ClusterRole], topology: Topology) -> [Service] {
        var services: [Service] = []
        for app in node.apps {
            guard let port = app.port else { continue }
            let bind = node.appOptions[app]?.listen?.description ?? loopback
            services.append(Service(
                role: .app(app.rawValue), name: app.rawValue, port: port, bindAddress: bind,
                exposure: app.isTailnetFacing ? .ownerTailnet : .localOnly))
        }
        for role in roles where role.kind == .head {
            let cluster = role.cluster
            services.append(Service(
                role: .vllmAPI(model: cluster.model.name), name: "vllm \(cluster.model.servedName)", port: cluster.model.port,
                bindAddress: cluster.apiHost, exposure: cluster.callers.isEmpty ? .localOnly : .dacPeers(cluster.callers)))
            if cluster.isMultiNode {
                // Every Ray release binds GCS to every address, whatever --node-ip-address says
                // (see ClusterPlan.defaultRayVersion): the firewall and the tailnet policy keep it in.
                services.append(Service(
                    role: .rayGCS(model: cluster.model.name), name: "ray gcs", port: cluster.model.cluster.rayPort,
                    bindAddress: Service.everyAddress, exposure: .dacPeers(cluster.workers.map(\.name))))
            }
        }
        return services
    }

    private static func litellm(for node: Node, owner: Owner, clusters: [ClusterPlan], topology: Topology) -> LiteLLMPlan? {
        guard node.apps.contains(.litellm), let port = App.litellm.port else { return nil }
        let listed = clusters.filter { ModelRouting.routes(owner, to: $0.model, in: topology) }
        let routes = listed.map { cluster in
            LiteLLMPlan.Route(
                servedName: cluster.model.servedName, apiBase: cluster.apiBase,
                supportsTools: cluster.model.vllm.toolCallParser != nil, maxTokens: cluster.model.maxTokens)
        }
        var database: LiteLLMPlan.Database?
        if node.apps.contains(.litellmDB), let password = owner.dbPassword, let dbPort = App.litellmDB.port {
            let host = node.appOptions[.litellmDB]?.listen?.description ?? loopback
            database = .init(host: host, port: dbPort, password: password)
        }
        return LiteLLMPlan(port: port, bindAddress: loopback, routes: routes, masterKey: owner.masterKey, database: database)
    }

    /// The secret files a node needs; two secrets in one file become one entry.
    private static func secretFiles(for node: Node, owner: Owner, roles: [ClusterRole]) -> [SecretFile] {
        var files: [(path: String, variables: [String], readers: [String], virtualKeyFor: String?)] = []
        func add(_ secret: SecretRef, variables: [String], readers: [String], virtualKeyFor: String? = nil) {
            let path = secret.file.absolute(home: node.home)
            if let index = files.firstIndex(where: { $0.path == path }) {
                files[index].variables += variables.filter { !files[index].variables.contains($0) }
                files[index].readers += readers.filter { !files[index].readers.contains($0) }
            } else {
                files.append((path, variables, readers, virtualKeyFor))
            }
        }
        if node.apps.contains(.litellm) {
            add(owner.masterKey, variables: [owner.masterKey.variable], readers: ["litellm"])
        }
        if node.apps.contains(.litellmDB), let password = owner.dbPassword {
            var readers = ["litellm-db"]
            var variables = [password.variable]
            if node.apps.contains(.litellm) {
                readers.insert("litellm", at: 0)
                variables.append("DATABASE_URL")
            }
            add(password, variables: variables, readers: readers)
        }
        for app in node.apps {
            if let key = node.appOptions[app]?.key {
                add(key, variables: [key.variable], readers: [app.rawValue], virtualKeyFor: app.rawValue)
            }
            if let password = node.appOptions[app]?.password {
                add(password, variables: [password.variable], readers: [app.rawValue])
            }
        }
        for role in roles where role.cluster.isMultiNode {
            if let token = role.cluster.model.runtime.rayToken {
                add(token, variables: [token.variable], readers: ["ray"])
            }
        }
        return files.map { SecretFile(path: $0.path, variables: $0.variables, readers: $0.readers, virtualKeyFor: $0.virtualKeyFor) }
    }
}
