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

        // Everything below is linear in the fleet: lookups go through indexes built once.
        let links = topology.links.map(LinkPlan.init)
        var linkIndex: [String: Int] = [:]
        for (position, link) in links.enumerated() where linkIndex[link.name] == nil { linkIndex[link.name] = position }
        let routing = ModelRouting(topology)
        let hosts = topology.hosts.map { host in
            HostPlan(
                name: host.name,
                interfaces: host.addresses.compactMap { address in linkIndex[address.link].map { .init(link: links[$0], address: address.ip) } },
                tailnet: host.tailnet, tag: host.tag, tailnetHostname: host.tailnet == nil ? nil : host.tailnetHostname ?? host.name, path: host.path)
        }
        let backends = topology.backends.compactMap { backend in topology.host(named: backend.host).flatMap { BackendPlan(backend, host: $0) } }
        let catalogs = catalogPlans(topology, hosts: hosts, into: &bag)
        guard !bag.hasErrors else { return (nil, bag.diagnostics) }
        var catalogIndex: [String: CatalogPlan] = [:]
        for catalog in catalogs { catalogIndex[catalog.name] = catalog }
        let clusters = topology.models.compactMap { model -> ClusterPlan? in
            let head = topology.node(named: model.cluster.head)!
            let workers = model.cluster.workers.compactMap { topology.node(named: $0) }
            // A node calls the model over a link only when its owner's LiteLLM routes to it.
            let callers = routing.litellmNodes(routing: model).filter { $0.name != head.name }
            let catalog = model.catalog.flatMap { catalogIndex[$0] }
            if let catalog, catalog.panel != nil, let caller = callers.first {
                bag.error(
                    .resolveSharingConflict, "model '\(model.name)' of catalog '\(catalog.name)' is called by the LiteLLM of node '\(caller.name)' and by its panel over the LAN",
                    at: model.path / "catalog",
                    help: "a catalog's port listens on one address: route the model from the LiteLLM on '\(head.name)', or drop the panel")
                return nil
            }
            // A model on the tailnet is called over it, with its key: it needs neither a link nor an open port.
            if model.listen == .tailnet {
                guard checkTailnetListener(model, head: head, into: &bag) else { return nil }
            }
            let calledOverLink = !callers.isEmpty && model.listen != .loopback && model.listen != .tailnet
            // Every model's link problems are reported in one run; a model with one goes no further.
            let reported = bag.diagnostics.count
            let link = clusterLink(
                model, members: [head] + workers, callers: calledOverLink ? callers : [], links: links, index: linkIndex, into: &bag)
            if bag.diagnostics.count > reported { return nil }
            let headAddress = link.flatMap { head.address(on: $0.name)?.ip }
            let apiHost: String
            switch model.listen {
            // clusterLink gives a model told to listen on its link a link its head is on, or reports why not.
            case .dac: apiHost = headAddress?.description ?? loopback
            case .loopback: apiHost = loopback
            case .address(let address): apiHost = address.description
            case .tailnet: apiHost = head.tailnetIP?.description ?? loopback
            case nil: apiHost = catalog?.panel != nil ? catalog!.apiHost : callers.isEmpty ? loopback : headAddress?.description ?? loopback
            }
            return ClusterPlan(
                model: model, head: head, workers: workers, link: link, headAddress: headAddress, apiHost: apiHost,
                callers: callers.map(\.name), stackDir: topology.stack.dir.absolute(home: head.home), catalog: catalog)
        }
        // vLLM reads its key as VLLM_API_KEY, so one LiteLLM can hold the key of one such model.
        for node in topology.nodes where node.apps.contains(.litellm) {
            guard let owner = topology.owner(named: node.owner) else { continue }
            let keyed = routing.clusters(routedBy: owner, among: clusters).filter { $0.listen == .tailnet && $0.apiKey != nil }
            guard keyed.count > 1, let first = keyed.first, let second = keyed.dropFirst().first(where: { $0.apiKey?.file != first.apiKey?.file })
            else { continue }
            bag.error(
                .resolveSharingConflict, "the LiteLLM on node '\(node.name)' calls models '\(first.name)' and '\(second.name)' on the tailnet with different keys, both VLLM_API_KEY",
                at: second.apiKey!.path, help: "give both models one api_key file, or route one of them from another node's LiteLLM")
        }
        // An address on a port's other half needs the link to name that half's interface.
        for node in topology.nodes {
            for address in node.addresses where address.secondIP != nil {
                guard let link = topology.link(named: address.link), link.secondInterface == nil else { continue }
                bag.error(
                    .resolveLinkAddress, "node '\(node.name)' has an address on the second half of link '\(link.name)', which names no 'second_interface'",
                    at: address.secondIPPath ?? address.path,
                    help: "add 'second_interface' to link '\(link.name)' (on a DGX Spark, the enP2p… interface `ibdev2netdev` pairs with the link's), or remove the address")
            }
        }
        let offers = OfferPlan.resolve(
            topology, routing: routing, clusters: clusters, servedName: { (name: $0.name, served: $0.servedName) }, backends: backends, into: &bag)
        guard !bag.hasErrors else { return (nil, bag.diagnostics) }
        let modelWorkloads = modelWorkloads(clusters, into: &bag)
        guard !bag.hasErrors else { return (nil, bag.diagnostics) }
        var rolesByNode: [String: [ClusterRole]] = [:]
        for cluster in clusters {
            rolesByNode[cluster.head.name, default: []].append(ClusterRole(kind: .head, cluster: cluster))
            for worker in cluster.workers where worker.name != cluster.head.name {
                rolesByNode[worker.name, default: []].append(ClusterRole(kind: .worker, cluster: cluster))
            }
        }
        let peers = linkPeers(clusters)
        // Every node's ports, in node order, so /etc/hosts can read a peer's LAN address from them.
        let interfaces = topology.nodes.map { node in
            node.addresses.compactMap { address -> NodeInterface? in
                guard let position = linkIndex[address.link] else { return nil }
                let link = topology.links[position]
                var interface = NodeInterface(
                    link: links[position], address: address.ip, device: address.interface ?? link.interface,
                    hcas: address.hcas.isEmpty ? link.hcas : address.hcas, path: address.path, devicePath: address.interfacePath ?? link.path / "interface")
                if let ip = address.secondIP, let device = link.secondInterface { interface.second = (device, ip) }
                return interface
            }
        }
        var backendsByTailnet: [String: [BackendPlan]] = [:]
        for backend in backends { backendsByTailnet[backend.tailnet, default: []].append(backend) }
        let aliases = RouteAliasIndex(topology.routes)
        let position = { (name: String) in topology.position(ofNode: name) ?? 0 }
        let lanAddress = { (name: String) in interfaces[position(name)].first { $0.link.kind == .lan }?.address }
        let nodes = topology.nodes.enumerated().map { index, node -> NodePlan in
            let owner = topology.owner(named: node.owner)!
            let roles = rolesByNode[node.name] ?? []
            // The node's own name and those of the nodes it works with: /etc/hosts grows with the
            // node's cluster and callers, not with the fleet.
            let linkPeers = (peers[node.name] ?? []).sorted { (position($0.node), linkIndex[$0.link] ?? 0) < (position($1.node), linkIndex[$1.link] ?? 0) }
            var hosts: [(ip: String, name: String)] = []
            if lanAddress(node.name) != nil {
                var seen = Set<String>()
                for name in ([node.name] + linkPeers.map(\.node)).sorted(by: { position($0) < position($1) }) where seen.insert(name).inserted {
                    if let address = lanAddress(name) { hosts.append((address.description, name)) }
                }
            }
            let kinds = AppKinds.lowering(node, owner: owner, topology: topology)
            let routed = node.apps.contains(.litellm) ? routing.clusters(routedBy: owner, among: clusters) : []
            // A gateway keeps the token of each backend of its tailnet that asks for one.
            let backendKeys = node.apps.contains(.litellm)
                ? (backendsByTailnet[node.tailnet ?? owner.tailnet] ?? []).compactMap { $0.keyPlacement(group: AppContext.composeReaderGroup(of: node)) }
                : []
            let offerKeys = offerKeys(node, offers: offers, topology: topology)
            let secrets = secretFiles(
                for: node, placements: kinds.flatMap { $0.kind.secrets($0.context) } + tailnetKeys(node, roles: roles, routed: routed) + backendKeys
                    + offerKeys,
                roles: roles)
            return NodePlan(
                node: node, owner: OwnerPlan(owner), tailnet: TailnetIdentity(topology.tailnet(named: node.tailnet ?? owner.tailnet)!),
                stackDir: topology.stack.dir.absolute(home: node.home), interfaces: interfaces[index],
                services: kinds.flatMap { $0.kind.listeners($0.context) } + clusterServices(node: node, roles: roles),
                workloads: (modelWorkloads[node.name] ?? []) + kinds.compactMap { $0.kind.workload($0.context) }.map { loadingEveryKey($0, secrets) },
                litellm: litellm(
                    for: node, topology: topology, owner: owner, routes: routing.clusters(routedBy: owner, among: clusters),
                    backends: backendsByTailnet[node.tailnet ?? owner.tailnet] ?? [], aliases: aliases,
                    offered: offers.filter { $0.receivers.contains(node.name) }),
                operations: kinds.map { $0.kind.operations($0.context) },
                secretFiles: secrets, clusterRoles: roles, linkPeers: linkPeers, hostsEntries: hosts)
        }
        var ownersByTailnet: [String: [String]] = [:]
        for owner in topology.owners { ownersByTailnet[owner.tailnet, default: []].append(owner.name) }
        var nodesByTailnet: [String: [NodePlan]] = [:]
        for node in nodes { nodesByTailnet[node.tailnet.name, default: []].append(node) }
        let clusterOnlyPorts = Set(clusters.flatMap { $0.clusterOnlyPorts.map(\.port) })
        let tailnets = topology.tailnets.map { tailnet in
            let members = nodesByTailnet[tailnet.name] ?? []
            return TailnetPlan(
                tailnet, owners: ownersByTailnet[tailnet.name] ?? [], nodes: members,
                policy: TailnetPolicyPlanner.policy(
                    tailnet, nodes: members, clusterOnlyPorts: clusterOnlyPorts, backends: backendsByTailnet[tailnet.name] ?? [],
                    offers: offers.filter { offer in offer.via == .tailnet && members.contains { $0.name == offer.gateway } }))
        }
        // The LiteLLMs that call each server themselves. A route to a model another owner's
        // gateway offers goes through that gateway, whose own route (cap, fallbacks) serves it.
        var offeredTo: [String: Set<String>] = [:]
        for offer in offers { for receiver in offer.receivers { offeredTo[receiver, default: []].formUnion(offer.servedNames) } }
        var proxies: [String: Set<String>] = [:]
        for node in nodes {
            for route in node.litellm?.routes ?? [] where !(offeredTo[node.name]?.contains(route.servedName) ?? false) {
                proxies[route.servedName, default: []].insert(node.name)
            }
        }
        let routingTargets = clusters.map { RoutingTarget($0, proxies: proxies[$0.servedName] ?? []) }
            + backends.map { RoutingTarget($0, proxies: proxies[$0.name] ?? []) }
        var plan = Plan(
            topology: topology, sourceName: sourceName, links: links, nodes: nodes, clusters: clusters, tailnets: tailnets, hosts: hosts,
            catalogs: catalogs, owners: topology.owners.map(OwnerPlan.init), routingTargets: routingTargets)
        plan.backends = backends
        plan.offers = offers
        return (plan, bag.diagnostics)
    }

    /// The reference errors of a topology that has structural errors too, so one run reports
    /// both; a name declared in the file whose entry had an error is not called unknown.
    public static func referenceErrors(_ partial: Topology, declared: Set<String>) -> [Diagnostic] {
        var bag = DiagnosticBag()
        checkReferences(partial, partial: true, declared: declared, into: &bag)
        return bag.diagnostics
    }

    /// `partial`: entries with errors are missing from `topology`, so only names are checked, and
    /// a name in `declared` is known even if its entry is missing.
    private static func checkReferences(_ topology: Topology, partial: Bool = false, declared: Set<String> = [], into bag: inout DiagnosticBag) {
        func unknown(_ kind: String, _ name: String, at path: SpecPath, among names: [String]) {
            guard !declared.contains(name) else { return }
            let hint = Suggestion.hint(for: name, in: names)
            let known = names.isEmpty ? "none are defined" : "defined \(kind)s: \(names.joined(separator: ", "))"
            bag.error(.resolveUnknownReference, "unknown \(kind) '\(name)'", at: path, help: "\(hint)\(known)")
        }
        // Arrays for suggestions, sets for membership: a fleet has thousands of names.
        let tailnetNames = topology.tailnets.map(\.name), tailnetSet = Set(tailnetNames)
        let ownerNames = topology.owners.map(\.name), ownerSet = Set(ownerNames)
        let nodeNames = topology.nodes.map(\.name), nodeSet = Set(nodeNames)
        for owner in topology.owners where !tailnetSet.contains(owner.tailnet) {
            unknown("tailnet", owner.tailnet, at: owner.path / "tailnet", among: tailnetNames)
        }
        for node in topology.nodes {
            if let tailnet = node.tailnet, !tailnetSet.contains(tailnet) {
                unknown("tailnet", tailnet, at: node.path / "tailnet", among: tailnetNames)
            }
            for (app, options) in node.appOptions {
                guard let target = options.litellm else { continue }
                if !nodeSet.contains(target) {
                    unknown("node", target, at: options.path / "litellm", among: nodeNames)
                } else if !partial, topology.node(named: target)?.apps.contains(.litellm) != true {
                    bag.error(
                        .resolveMissingApp, "app '\(app.rawValue)' on node '\(node.name)' talks to the LiteLLM of node '\(target)', which runs none",
                        at: options.path / "litellm", help: "add litellm to the apps of '\(target)', or remove this setting")
                }
            }
            guard let owner = topology.owner(named: node.owner) else {
                unknown("owner", node.owner, at: node.path / "owner", among: ownerNames)
                continue
            }
            // In a partial topology a missing value may only have failed to decode.
            if !partial, node.apps.contains(.redis), owner.redisPassword == nil {
                bag.error(
                    .resolveMissingSecret, "node '\(node.name)' runs redis but owner '\(owner.name)' has no redis_password", at: node.path / "apps",
                    help: "add 'redis_password: {file: \"~/.\(owner.name)-redis.env\"}' to owner '\(owner.name)'")
            }
            let nims = node.apps.filter(\.isSpeech)
            if !partial, !nims.isEmpty, owner.ngcAPIKey == nil {
                bag.error(
                    .resolveMissingSecret, "node '\(node.name)' runs \(nims.map(\.rawValue).joined(separator: " and ")), NVIDIA's NIM\(nims.count > 1 ? "s" : ""), but owner '\(owner.name)' has no ngc_api_key",
                    at: node.path / "apps",
                    help: "add 'ngc_api_key: {file: \"~/.\(owner.name)-ngc.env\"}' to owner '\(owner.name)': a NIM pulls its model from NGC with it")
            }
            for app in nims {
                let options = node.appOptions[app]
                for (index, client) in (options?.clients ?? []).enumerated() where topology.host(named: client) == nil && !declared.contains(client) {
                    let names = topology.hosts.map(\.name)
                    bag.error(
                        .resolveUnknownReference, "unknown host '\(client)'", at: (options?.path ?? node.path) / "clients" / index,
                        help: "\(Suggestion.hint(for: client, in: names))\(names.isEmpty ? "no hosts are defined: add it under 'hosts'" : "defined hosts: \(names.joined(separator: ", "))")")
                }
                if !partial, let clients = options?.clients, !clients.isEmpty, clients.allSatisfy({ topology.host(named: $0) != nil }),
                    SpeechKind.sharedLAN(node, clients: clients, topology: topology) == nil {
                    bag.error(
                        .resolveNoSharedLink, "the clients of \(app.rawValue) on node '\(node.name)' do not share one LAN with it", at: (options?.path ?? node.path) / "clients",
                        help: "a client reaches the service from a LAN the node is on: put them on one, or list fewer clients")
                }
            }
            for app in [App.redis, .nginx] where node.apps.contains(app) && !node.apps.contains(.litellm) {
                bag.error(
                    .resolveMissingApp, "node '\(node.name)' runs \(app.rawValue), which serves LiteLLM, but no litellm", at: node.path / "apps",
                    help: "add litellm to the node's apps, or remove \(app.rawValue)")
            }
            if !partial, node.apps.contains(.litellm), owner.masterKey == nil {
                bag.error(
                    .resolveMissingSecret, "node '\(node.name)' runs litellm but owner '\(owner.name)' has no master_key", at: node.path / "apps",
                    help: "add 'master_key: {file: \"~/.\(owner.name)-litellm.env\"}' to owner '\(owner.name)'")
            }
            if !partial, node.apps.contains(.litellmDB), owner.dbPassword == nil {
                bag.error(
                    .resolveMissingSecret, "node '\(node.name)' runs litellm-db but owner '\(owner.name)' has no db_password", at: node.path / "apps",
                    help: "add 'db_password: {file: \"~/.\(owner.name)-litellm-db.env\"}' to owner '\(owner.name)'")
            }
        }
        let linkNames = topology.links.map(\.name), linkSet = Set(linkNames)
        for node in topology.nodes {
            for address in node.addresses {
                guard let link = topology.link(named: address.link) else {
                    let key = address.path.description.split(separator: ".").last.map(String.init) ?? ""
                    if ["mgmt_ip", "dac_ip"].contains(key), !declared.contains(address.link) {
                        // The short form names a link the user may never have written down.
                        let kind = Link.legacyKinds[address.link]?.rawValue ?? "direct"
                        bag.error(
                            .resolveLinkAddress, "'\(key)' puts node '\(node.name)' on link '\(address.link)', which 'links' does not define", at: address.path,
                            help: "add '\(address.link): {kind: \(kind), subnet: …}' under 'links', or remove '\(key)'")
                    } else {
                        unknown("link", address.link, at: address.path, among: linkNames)
                    }
                    continue
                }
                if link.kind.carriesClusterTraffic, address.interface == nil, link.interface == nil {
                    bag.error(
                        .resolveLinkAddress, "node '\(node.name)' has no interface name on \(LinkPlan(link).phrase)", at: address.path,
                        help: "add 'interface:' to link '\(link.name)', or write the node's entry as {ip: \(address.ip), interface: NAME}")
                }
            }
        }
        for tailnet in topology.tailnets {
            for (shares, key) in [(tailnet.shares, "with"), (tailnet.accepts, "from")] {
                for share in shares {
                    if !tailnetSet.contains(share.tailnet) {
                        unknown("tailnet", share.tailnet, at: share.path / key, among: tailnetNames)
                    }
                    for (index, name) in share.nodes.enumerated() where !nodeSet.contains(name) {
                        unknown("node", name, at: share.path / "nodes" / index, among: nodeNames)
                    }
                }
            }
        }
        let hostNames = topology.hosts.map(\.name), hostSet = Set(hostNames)
        for host in topology.hosts {
            for address in host.addresses {
                guard let link = topology.link(named: address.link) else {
                    unknown("link", address.link, at: address.path, among: linkNames)
                    continue
                }
                if link.kind != .lan {
                    bag.error(
                        .resolveLinkAddress, "host '\(host.name)' is on \(LinkPlan(link).phrase)", at: address.path,
                        help: "a host spark-gen does not deploy to is admitted from a LAN; direct links and fabrics join nodes only")
                } else if !link.subnet.contains(address.ip) {
                    bag.error(
                        .resolveLinkAddress, "host '\(host.name)' has address \(address.ip), outside \(link.subnet) of link '\(link.name)'", at: address.path,
                        help: "give it an address in \(link.subnet)")
                }
            }
            if nodeSet.contains(host.name) {
                bag.error(
                    .resolveNameClash, "'\(host.name)' is both a node and a host", at: host.path,
                    help: "a host is a machine spark-gen does not deploy to: rename it, or remove it from 'hosts'")
            }
        }
        let catalogNames = topology.catalogs.map(\.name), catalogSet = Set(catalogNames)
        var catalogMembers: [String: [String]] = [:]
        var modelsByName: [String: [Model]] = [:], modelsByServedName: Set<String> = []
        for model in topology.models {
            modelsByName[model.name, default: []].append(model)
            modelsByServedName.insert(model.servedName)
        }
        for model in topology.models {
            guard let name = model.catalog else { continue }
            if catalogSet.contains(name) {
                catalogMembers[name, default: []].append(model.name)
            } else {
                unknown("catalog", name, at: model.path / "catalog", among: catalogNames)
            }
        }
        for catalog in topology.catalogs {
            let members = catalogMembers[catalog.name] ?? []
            // A model of that name that names another catalog is reported there (a misspelt catalog).
            let elsewhere = (modelsByName[catalog.active] ?? []).contains { $0.catalog != nil && !catalogSet.contains($0.catalog!) }
            if !members.contains(catalog.active), !elsewhere, !declared.contains(catalog.active) {
                let hint = Suggestion.hint(for: catalog.active, in: members)
                bag.error(
                    .resolveCatalogIncomplete, "catalog '\(catalog.name)' has no model '\(catalog.active)' to make active", at: catalog.path / "active",
                    help: members.isEmpty ? "add 'catalog: \(catalog.name)' to the models that take turns in it"
                        : "\(hint)its models: \(members.joined(separator: ", "))")
            }
            if let panel = catalog.panel, !hostSet.contains(panel) {
                unknown("host", panel, at: catalog.path / "panel", among: hostNames)
            }
        }
        // Fallbacks and routes name models and backends alike.
        let modelNames = topology.models.map(\.name) + topology.backends.map(\.name), modelSet = Set(modelNames)
        let servedNames = Set(topology.models.map(\.servedName) + topology.backends.map(\.name))
        for backend in topology.backends {
            if modelsByName[backend.name] != nil || modelsByServedName.contains(backend.name) {
                bag.error(
                    .resolveNameClash, "backend '\(backend.name)' has the name of a model", at: backend.path,
                    help: "a client asking for it would reach one of the two by chance: rename the backend")
            }
            for (index, name) in backend.fallbacks.enumerated() where !modelSet.contains(name) && !declared.contains(name) {
                unknown("model", name, at: backend.path / "fallbacks" / index, among: modelNames)
            }
            for (index, name) in backend.textFallbacks.enumerated() where !modelSet.contains(name) && !declared.contains(name) {
                unknown("model", name, at: backend.path / "text_fallbacks" / index, among: modelNames)
            }
            guard let host = topology.host(named: backend.host) else {
                if !declared.contains(backend.host) { unknown("host", backend.host, at: backend.path / "host", among: topology.hosts.map(\.name)) }
                continue
            }
            if host.tailnet == nil {
                bag.error(
                    .resolveTailnetListen, "backend '\(backend.name)' runs on host '\(host.name)', which is on no tailnet", at: backend.path / "host",
                    help: "add 'tailnet: NAME' and 'tag: tag:NAME' to host '\(host.name)': the gateway reaches the server over the tailnet")
            }
        }
        for host in topology.hosts {
            if let tailnet = host.tailnet, !tailnetSet.contains(tailnet), !declared.contains(tailnet) {
                unknown("tailnet", tailnet, at: host.path / "tailnet", among: tailnetNames)
            }
        }
        for route in topology.routes {
            if !modelSet.contains(route.model), !declared.contains(route.model) {
                unknown("model", route.model, at: route.path, among: modelNames)
            }
            for promotion in route.promotions where !modelSet.contains(promotion.model) && !declared.contains(promotion.model) {
                unknown("model", promotion.model, at: promotion.path / "to", among: modelNames)
            }
            if servedNames.contains(route.name) {
                bag.error(
                    .resolveNameClash, "route '\(route.name)' is also the name a model is served as", at: route.path,
                    help: "a client asking for it would reach one of the two by chance: rename the route")
            }
        }
        for model in topology.models {
            for (index, name) in model.fallbacks.enumerated() where !modelSet.contains(name) && !declared.contains(name) {
                unknown("model", name, at: model.path / "fallbacks" / index, among: modelNames)
            }
            for (index, name) in model.textFallbacks.enumerated() where !modelSet.contains(name) && !declared.contains(name) {
                unknown("model", name, at: model.path / "text_fallbacks" / index, among: modelNames)
            }
            for (index, name) in model.sharedWith.enumerated() where !ownerSet.contains(name) {
                unknown("owner", name, at: model.path / "shared_with" / index, among: ownerNames)
            }
            let cluster = model.cluster
            if !nodeSet.contains(cluster.head) {
                unknown("node", cluster.head, at: cluster.path / "head", among: nodeNames)
            }
            for (index, worker) in cluster.workers.enumerated() where !nodeSet.contains(worker) {
                unknown("node", worker, at: cluster.path / "workers" / index, among: nodeNames)
            }
            if let link = cluster.link, !linkSet.contains(link) {
                unknown("link", link, at: cluster.path / "link", among: linkNames)
            }
        }
    }

    /// A model that listens on its head's tailnet address: the head says which address that is,
    /// vLLM asks for a key there (anything tagged on the tailnet could call it otherwise), and it
    /// runs on one node (Ray's ports must stay off the tailnet).
    private static func checkTailnetListener(_ model: Model, head: Node, into bag: inout DiagnosticBag) -> Bool {
        var fine = true
        if head.tailnetIP == nil {
            bag.error(
                .resolveTailnetListen, "model '\(model.name)' listens on the tailnet, but node '\(head.name)' has no tailnet_ip", at: model.path / "listen",
                help: "add 'tailnet_ip: 100.x.y.z' to node '\(head.name)', the address the Tailscale admin console shows (it can be fixed there)")
            fine = false
        }
        if model.apiKey == nil {
            bag.error(
                .resolveTailnetListen, "model '\(model.name)' listens on the tailnet without an api_key", at: model.path / "listen",
                help: "add 'api_key: {file: \"~/.\(model.name)-vllm.env\"}': every tagged device of the tailnet could call it without one")
            fine = false
        }
        if let key = model.apiKey, key.variable != "VLLM_API_KEY" {
            bag.error(
                .resolveTailnetListen, "the api_key of model '\(model.name)' is read as \(key.variable), but vLLM reads VLLM_API_KEY", at: key.path,
                help: "remove 'var' from the api_key, or name VLLM_API_KEY")
            fine = false
        }
        if model.runtime.kind != .vllm || !model.cluster.workers.isEmpty {
            bag.error(
                .resolveTailnetListen, "model '\(model.name)' listens on the tailnet, which spark-gen supports for a one-node vLLM only", at: model.path / "listen",
                help: "remove 'listen: tailnet', or run the model as vLLM on one node")
            fine = false
        }
        return fine
    }

    /// Each catalog with its head and the address its port listens on. Its models take turns on
    /// one port, so they must share a head; a panel must share a LAN with that head.
    private static func catalogPlans(_ topology: Topology, hosts: [HostPlan], into bag: inout DiagnosticBag) -> [CatalogPlan] {
        var members: [String: [Model]] = [:]
        for model in topology.models { if let name = model.catalog { members[name, default: []].append(model) } }
        return topology.catalogs.compactMap { catalog -> CatalogPlan? in
            guard let models = members[catalog.name], let first = models.first else { return nil }
            let head = first.cluster.head
            for model in models.dropFirst() where model.cluster.head != head {
                bag.error(
                    .resolveSharingConflict, "model '\(model.name)' of catalog '\(catalog.name)' runs its API on node '\(model.cluster.head)', but model '\(first.name)' on '\(head)'",
                    at: model.cluster.path,
                    help: "the models of a catalog take turns on one port: give them one head ('node: \(head)' or 'cluster: {head: \(head), …}')")
            }
            var panel: HostPlan?
            var panelLink: String?
            var apiHost = loopback
            if let name = catalog.panel, let host = hosts.first(where: { $0.name == name }), let node = topology.node(named: head) {
                guard let shared = host.interfaces.first(where: { interface in node.address(on: interface.link.name) != nil }),
                    let address = node.address(on: shared.link.name)
                else {
                    bag.error(
                        .resolveNoSharedLink, "host '\(name)', the panel of catalog '\(catalog.name)', shares no LAN with node '\(head)'", at: catalog.path / "panel",
                        help: "the panel swaps models over ssh and polls the port: put '\(name)' and '\(head)' on one LAN")
                    return nil
                }
                panel = host
                panelLink = shared.link.name
                apiHost = address.ip.description
            }
            if catalog.panelURL != nil && catalog.panel == nil {
                bag.error(
                    .resolveCatalogIncomplete, "catalog '\(catalog.name)' has a panel_url but no panel", at: catalog.path / "panel_url",
                    help: "name the host the panel runs on with 'panel: HOST', or remove panel_url")
            }
            var plan = CatalogPlan(
                name: catalog.name, port: catalog.port, active: catalog.active, members: models.map(\.name), head: head, panel: panel,
                panelLink: panelLink, apiHost: apiHost, path: catalog.path)
            plan.panelURL = catalog.panelURL
            return plan
        }
    }

    /// The listeners of the models a node heads: each model's server (one for the models a shared
    /// Ollama serves, one for the models of a catalog, which take turns on its port) and, for a
    /// Ray cluster, its GCS (one per catalog, admitting the workers of every model in it).
    private static func clusterServices(node: Node, roles: [ClusterRole]) -> [Service] {
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
                services.append(Service(
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
            services.append(Service(
                role: .rayGCS(model: cluster.name), name: "ray gcs",
                port: cluster.rayPort, bindAddress: Service.everyAddress, exposure: .linkPeers(link: link, workers),
                path: cluster.clusterPath / "ray_port", manualStart: cluster.catalog != nil))
        }
        return services + rayNodeServices(node: node, roles: roles)
    }

    /// Ray's other listeners on a member of a multi-node cluster (ClusterPlan.rayNodeListeners),
    /// reached by the other members over the cluster's link; one set per catalog on a node, whose
    /// models run Ray one at a time. Two clusters that claim one port stay two: CL008 reports them.
    private static func rayNodeServices(node: Node, roles: [ClusterRole]) -> [Service] {
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
                services.append(Service(
                    role: .rayNode(model: cluster.name), name: listener.name, port: listener.port,
                    bindAddress: listener.everyAddress ? Service.everyAddress : own.ip.description,
                    exposure: .linkPeers(link: link, peers), path: cluster.clusterPath, manualStart: cluster.catalog != nil))
            }
        }
        return services
    }

    /// The compose services serving models, by head node, in model order. Models that share a
    /// server (Ollama) must agree on what it is; the first never silently wins.
    private static func modelWorkloads(_ clusters: [ClusterPlan], into bag: inout DiagnosticBag) -> [String: [Workload]] {
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
                    .resolveSharingConflict, "models '\(first.name)' and '\(cluster.name)' both need the compose service '\(workload.name)' on node '\(cluster.head.name)'",
                    at: cluster.path, help: "rename one of the models")
            } else if first.image != cluster.image {
                bag.error(
                    .resolveSharingConflict, "model '\(cluster.name)' runs \(server) from \(cluster.image), but model '\(first.name)' runs it from \(first.image)",
                    at: cluster.runtime.path / "image",
                    help: "one server serves both models: give them one image, or give one model another 'port' (a second server)")
            } else if first.ollama?.contextLength != cluster.ollama?.contextLength {
                let length = { (model: ClusterPlan) in model.ollama?.contextLength.map(String.init) ?? "Ollama's default" }
                bag.error(
                    .resolveSharingConflict, "model '\(cluster.name)' asks \(server) for context_length \(length(cluster)), but model '\(first.name)' for \(length(first))",
                    at: cluster.ollama.map { $0.path / "context_length" } ?? cluster.path,
                    help: "the server's context length is one for all its models: give them one, or give one model another 'port' (a second server)")
            } else if first.start != cluster.start {
                bag.error(
                    .resolveSharingConflict, "model '\(cluster.name)' starts \(cluster.start.rawValue) but shares \(server) with model '\(first.name)', which starts \(first.start.rawValue)",
                    at: cluster.path / "start",
                    help: "a server starts with all its models: give them one start policy, or give one model another 'port' (a second server)")
            }
        }
        return workloads
    }

    /// The direct link or fabric a model's nodes and callers use: the one the cluster names, or
    /// the only one they all share; nil when nobody calls the model from another node.
    private static func clusterLink(
        _ model: Model, members: [Node], callers: [Node], links: [LinkPlan], index: [String: Int], into bag: inout DiagnosticBag
    ) -> LinkPlan? {
        let nodes = members + callers.filter { caller in !members.contains { $0.name == caller.name } }
        let who = "model '\(model.name)'"
        if let name = model.cluster.link {
            guard let position = index[name] else { return nil }  // reported with the references
            let link = links[position]
            // A LAN carries a one-node model's API to its callers, never a cluster's Ray and NCCL.
            guard link.kind.carriesClusterTraffic || members.count == 1 else {
                bag.error(
                    .resolveLinkAddress, "the cluster of \(who) uses \(link.phrase)", at: model.cluster.path / "link",
                    help: LANModel.linkKindsHelp)
                return nil
            }
            for node in nodes where node.address(on: name) == nil {
                let role = members.contains { $0.name == node.name } ? "a node of the cluster" : "its LiteLLM calls \(who)"
                bag.error(
                    .resolveLinkAddress, "node '\(node.name)' is not on link '\(name)', which \(who) uses", at: model.cluster.path / "link",
                    help: "'\(node.name)' is \(role): give it an address under 'links: {\(name): …}'")
            }
            return link
        }
        // One node alone needs a link only when the model is told to listen on it.
        guard nodes.count > 1 || model.listen == .dac else { return nil }
        var shared = nodes[0].addresses.compactMap { address -> LinkPlan? in
            guard let position = index[address.link], links[position].kind.carriesClusterTraffic else { return nil }
            return nodes.dropFirst().allSatisfy { $0.address(on: address.link) != nil } ? links[position] : nil
        }
        // Two LANs are reported like two links: the model names the one it uses.
        if shared.isEmpty { shared = LANModel.sharedLANs(members: members, callers: nodes.dropFirst(members.count), links: links, index: index) }
        guard shared.count == 1 else {
            let callerNames = nodes.filter { node in !members.contains { $0.name == node.name } }.map { "'\($0.name)'" }
            var names = members.map { "'\($0.name)'" }.joined(separator: ", ")
            if !callerNames.isEmpty { names += ", and \(callerNames.joined(separator: ", ")), whose LiteLLM calls it" }
            if shared.isEmpty && nodes.count == 1 {
                bag.error(
                    .resolveNoSharedLink, "\(who) listens on its link, but '\(nodes[0].name)' is on no direct link or fabric", at: model.path / "listen",
                    help: "remove 'listen' (the model then binds loopback), or put the node on the link its callers use")
            } else if shared.isEmpty {
                bag.error(
                    .resolveNoSharedLink, "the nodes of \(who) share no direct link or fabric: \(names)", at: model.cluster.path,
                    help: LANModel.linkKindsHelp)
            } else {
                bag.error(
                    .resolveNoSharedLink, "the nodes of \(who) share \(shared.count) links: \(shared.map { "'\($0.name)'" }.joined(separator: ", "))",
                    at: model.cluster.path, help: "name the one the model uses with 'link: \(shared[0].name)' under 'cluster'")
            }
            return nil
        }
        return shared[0]
    }

    /// For each node, the other nodes it exchanges traffic with over a link: its cluster peers,
    /// the callers of its models and the heads of the models it calls.
    private static func linkPeers(_ clusters: [ClusterPlan]) -> [String: Set<LinkPeer>] {
        var peers: [String: Set<LinkPeer>] = [:]
        for cluster in clusters {
            guard let link = cluster.link?.name else { continue }
            func pair(_ a: String, _ b: String) {
                guard a != b else { return }
                peers[a, default: []].insert(LinkPeer(node: b, link: link))
                peers[b, default: []].insert(LinkPeer(node: a, link: link))
            }
            let members = cluster.members.map(\.name)
            for (index, member) in members.enumerated() {
                for other in members[(index + 1)...] { pair(member, other) }
            }
            for caller in cluster.callers { pair(caller, cluster.head.name) }
        }
        return peers
    }

    private static func litellm(
        for node: Node, topology: Topology, owner: Owner, routes listed: [ClusterPlan], backends: [BackendPlan], aliases: RouteAliasIndex, offered: [OfferPlan]
    ) -> LiteLLMPlan? {
        guard node.apps.contains(.litellm), let port = node.port(of: .litellm), let masterKey = owner.masterKey else { return nil }
        // Fallbacks and route names reach only models this LiteLLM routes (FallbackRule reports the rest).
        var served: [String: String] = [:]
        for cluster in listed { served[cluster.name] = cluster.servedName }
        for backend in backends { served[backend.name] = backend.name }
        let external = backends.map { backend in
            LiteLLMPlan.Route(
                servedName: backend.name, model: "openai/\(backend.model)", apiBase: backend.apiBase, supportsTools: false, maxTokens: nil,
                supportsVision: backend.vision, maxParallelRequests: backend.maxParallelRequests,
                fallbacks: backend.fallbacks.compactMap { served[$0] }, senior: backend.senior, apiKeyVariable: backend.apiKey?.variable)
        }
        let routes = listed.map { cluster in
            LiteLLMPlan.Route(
                servedName: cluster.servedName, model: cluster.litellmModel, apiBase: cluster.apiBase,
                supportsTools: cluster.vllm.toolCallParser != nil, maxTokens: cluster.maxTokens,
                supportsVision: cluster.vision, maxParallelRequests: cluster.cap,
                fallbacks: cluster.fallbacks.compactMap { served[$0] }, senior: cluster.senior,
                apiKeyVariable: cluster.listen == .tailnet ? cluster.apiKey?.variable : nil)
        }
        // Another owner's gateway: each offered model through its LiteLLM, with the key it minted.
        let offeredRoutes = offered.flatMap { offer in
            offer.servedNames.map { name in
                LiteLLMPlan.Route(
                    servedName: name, model: "openai/\(name)", apiBase: offer.apiBase, supportsTools: false, maxTokens: nil,
                    apiKeyVariable: offer.key.variable)
            }
        }
        let allRoutes = routes + external + offeredRoutes
        let groupAliases = aliases.naming(served.keys).compactMap { alias in served[alias.model].map { (name: alias.name, servedName: $0) } }
        var database: LiteLLMPlan.Database?
        if node.apps.contains(.litellmDB), let password = owner.dbPassword, let dbPort = node.port(of: .litellmDB) {
            let host = node.appOptions[.litellmDB]?.listen?.description ?? loopback
            database = .init(host: host, port: dbPort, password: password)
        }
        let container = node.appOptions[.litellm]?.runner == .compose ? App.litellm.containerName : nil
        var cache: LiteLLMPlan.Cache?
        if node.apps.contains(.redis), let password = owner.redisPassword, let cachePort = node.port(of: .redis) {
            cache = .init(host: node.appOptions[.redis]?.listen?.description ?? loopback, port: cachePort, password: password)
        }
        var plan = LiteLLMPlan(
            port: port, bindAddress: loopback, routes: allRoutes, masterKey: masterKey, database: database, container: container,
            cache: cache, aliases: groupAliases)
        if OfferPlan.bindsEveryAddress(node, in: topology) { plan.listenAddress = Service.everyAddress }
        return plan
    }

    /// The secret files a node needs: its apps' placements, then each cluster's Ray token; two
    /// secrets in one file become one entry.
    /// A compose-run LiteLLM loads every secret file it reads, the keys of the models it calls on
    /// the tailnet included (its kind knows only the owner's).
    private static func loadingEveryKey(_ workload: Workload, _ secrets: [SecretFile]) -> Workload {
        guard workload.name == App.litellm.containerName else { return workload }
        let missing = secrets.filter { $0.readers.contains(App.litellm.rawValue) && !workload.environmentFiles.contains($0.path) }.map(\.path)
        guard !missing.isEmpty else { return workload }
        return Workload(
            name: workload.name, image: workload.image, runner: workload.runner, command: workload.command, environment: workload.environment,
            environmentFiles: workload.environmentFiles + missing, volumes: workload.volumes, entrypoint: workload.entrypoint, gpus: workload.gpus,
            gpuIDs: workload.gpuIDs, hostIPC: workload.hostIPC, manualStart: workload.manualStart, dependsOn: workload.dependsOn, path: workload.path)
    }

    /// The keys of models that listen on the tailnet: their head makes each, and a node whose
    /// LiteLLM calls one from elsewhere copies the head's file.
    private static func tailnetKeys(_ node: Node, roles: [ClusterRole], routed: [ClusterPlan]) -> [SecretPlacement] {
        var placements: [SecretPlacement] = []
        for role in roles where role.kind == .head && role.cluster.listen == .tailnet {
            guard let key = role.cluster.apiKey else { continue }
            placements.append(SecretPlacement(secret: key, variables: [key.variable], readers: ["vllm"]))
        }
        let group = AppContext.composeReaderGroup(of: node)
        for cluster in routed where cluster.listen == .tailnet {
            guard let key = cluster.apiKey else { continue }
            let source: SecretFile.Source = cluster.head.name == node.name
                ? .generated : .copied(node: cluster.head.name, path: key.file.absolute(home: cluster.head.home))
            placements.append(SecretPlacement(secret: key, variables: [key.variable], readers: [App.litellm.rawValue], source: source, group: group))
        }
        return placements
    }

    /// The keys of gateway offers: the offering gateway mints each, limited to the offered
    /// models; each of the other owner's gateways copies it for its LiteLLM.
    private static func offerKeys(_ node: Node, offers: [OfferPlan], topology: Topology) -> [SecretPlacement] {
        var placements: [SecretPlacement] = []
        for offer in offers {
            if offer.gateway == node.name {
                placements.append(SecretPlacement(
                    secret: offer.key, variables: [offer.key.variable], readers: ["\(offer.to)'s LiteLLM"],
                    source: .virtualKey(app: offer.keyAlias, models: offer.servedNames)))
            } else if offer.receivers.contains(node.name), let gateway = topology.node(named: offer.gateway) {
                placements.append(SecretPlacement(
                    secret: offer.key, variables: [offer.key.variable], readers: [App.litellm.rawValue],
                    source: .copied(node: gateway.name, path: offer.key.file.absolute(home: gateway.home)),
                    group: AppContext.composeReaderGroup(of: node)))
            }
        }
        return placements
    }

    private static func secretFiles(for node: Node, placements: [SecretPlacement], roles: [ClusterRole]) -> [SecretFile] {
        var files: [(path: String, variables: [String], readers: [String], source: SecretFile.Source, group: String?)] = []
        func add(_ placement: SecretPlacement) {
            let path = placement.secret.file.absolute(home: node.home)
            if let index = files.firstIndex(where: { $0.path == path }) {
                files[index].variables += placement.variables.filter { !files[index].variables.contains($0) }
                files[index].readers += placement.readers.filter { !files[index].readers.contains($0) }
                files[index].group = files[index].group ?? placement.group
            } else {
                files.append((path, placement.variables, placement.readers, placement.source, placement.group))
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
        return files.map { SecretFile(path: $0.path, variables: $0.variables, readers: $0.readers, source: $0.source, group: $0.group) }
    }
}
