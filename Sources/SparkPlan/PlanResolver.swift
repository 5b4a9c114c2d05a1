import SparkDiagnostics
import SparkSpec

/// Resolves the references of a `Topology` and derives the `Plan`.
///
/// Findings are reported at spec paths; the pipeline turns them into file positions.
public enum PlanResolver {
    public static let loopback = "127.0.0.1"

    /// What a resolution makes. The rules read facts, never file text, so `lint` asks for
    /// `.rules`: no runbook steps, verify.sh checks, config file contents or /etc/hosts lines
    /// (`NodePlan.operations`, `configFiles`, `hostsEntries`), which only emitters read. Both
    /// give the same diagnostics: those parts report nothing.
    public enum Parts: Sendable {
        /// Everything, for emitters.
        case all
        /// What the rules read.
        case rules
    }

    public static func resolve(_ topology: Topology, sourceName: String, parts: Parts = .all) -> (plan: Plan?, diagnostics: [Diagnostic]) {
        resolve(topology, sourceName: sourceName, parts: parts, kinds: AppKinds.kind)
    }

    /// The same, with `kinds` lowering the apps: a test lowers an app with a kind of its own.
    static func resolve(
        _ topology: Topology, sourceName: String, parts: Parts = .all, kinds: (App) -> any AppKind
    ) -> (plan: Plan?, diagnostics: [Diagnostic]) {
        let emitting = parts == .all
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
        // Each distinct image is read once: a fleet's models share a handful of images, and
        // reading one (reference, repository, version) cost about 10,000 instructions a model.
        var imageFacts: [String: ImageFact?] = [:]
        let clusters = topology.models.compactMap { model -> ClusterPlan? in
            let head = topology.node(named: model.cluster.head)!
            let workers = model.cluster.workers.compactMap { topology.node(named: $0) }
            // A node calls the model over a link only when its owner's LiteLLM routes to it.
            let callers = routing.litellmNodes(routing: model).filter { $0.name != head.name }
            let catalog = model.catalog.flatMap { catalogIndex[$0] }
            if let catalog, catalog.panel != nil, let caller = callers.first {
                bag.error(
                    .resolveSharingConflict,
                    "model '\(model.name)' of catalog '\(catalog.name)' is called by the LiteLLM of node '\(caller.name)' and by its panel over the LAN",
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
            let image = model.runtime.baseImage
            let imageFact: ImageFact?
            if let known = imageFacts[image] {
                imageFact = known
            } else {
                imageFact = ImageFacts.fact(of: image)
                imageFacts[image] = .some(imageFact)
            }
            return ClusterPlan(
                model: model, head: head, workers: workers, link: link, headAddress: headAddress, apiHost: apiHost,
                callers: callers.map(\.name), stackDir: topology.stack.dir.absolute(home: head.home), catalog: catalog, imageFact: imageFact)
        }
        // vLLM reads its key as VLLM_API_KEY, so one LiteLLM can hold the key of one such model.
        for node in topology.nodes where node.apps.contains(.litellm) {
            guard let owner = topology.owner(named: node.owner) else { continue }
            let keyed = routing.clusters(routedBy: owner, among: clusters).filter { $0.listen == .tailnet && $0.apiKey != nil }
            guard keyed.count > 1, let first = keyed.first, let second = keyed.dropFirst().first(where: { $0.apiKey?.file != first.apiKey?.file })
            else { continue }
            bag.error(
                .resolveSharingConflict,
                "the LiteLLM on node '\(node.name)' calls models '\(first.name)' and '\(second.name)' on the tailnet with different keys, both VLLM_API_KEY",
                at: second.apiKey!.path, help: "give both models one api_key file, or route one of them from another node's LiteLLM")
        }
        // An address on a port's other half needs the link to name that half's interface.
        for node in topology.nodes {
            for address in node.addresses where address.secondIP != nil {
                guard let link = topology.link(named: address.link), link.secondInterface == nil else { continue }
                bag.error(
                    .resolveLinkAddress, "node '\(node.name)' has an address on the second half of link '\(link.name)', which names no 'second_interface'",
                    at: address.secondIPPath ?? address.path,
                    help:
                        "add 'second_interface' to link '\(link.name)' (on a DGX Spark, the enP2p… interface `ibdev2netdev` pairs with the link's), or remove the address"
                )
            }
        }
        let offers = OfferPlan.resolve(
            topology, routing: routing, clusters: clusters,
            servedName: {
                (
                    name: $0.name, served: $0.servedName,
                    capabilities: .init(tools: $0.vllm.toolCallParser != nil, vision: $0.vision, maxTokens: $0.maxTokens)
                )
            }, backends: backends, into: &bag)
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
                if let ip = address.secondIP, let device = link.secondInterface {
                    interface.second = (device, ip)
                    interface.secondPath = address.secondIPPath
                }
                return interface
            }
        }
        var backendsByTailnet: [String: [BackendPlan]] = [:]
        for backend in backends { backendsByTailnet[backend.tailnet, default: []].append(backend) }
        let aliases = RouteAliasIndex(topology.routes)
        let position = { (name: String) in topology.position(ofNode: name) ?? 0 }
        let lanAddress = { (name: String) in interfaces[position(name)].first { $0.link.kind == .lan }?.address }
        // One OwnerPlan per owner, shared by its nodes and the plan's list.
        let ownerPlans = topology.owners.map(OwnerPlan.init)
        let ownerPlanByName = Dictionary(ownerPlans.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let identities = Dictionary(topology.tailnets.map { ($0.name, TailnetIdentity($0)) }, uniquingKeysWith: { first, _ in first })
        let nodes = topology.nodes.enumerated().map { index, node -> NodePlan in
            let owner = topology.owner(named: node.owner)!
            let roles = rolesByNode[node.name] ?? []
            // The node's own name and those of the nodes it works with: /etc/hosts grows with the
            // node's cluster and callers, not with the fleet.
            let linkPeers = (peers[node.name] ?? []).sorted { (position($0.node), linkIndex[$0.link] ?? 0) < (position($1.node), linkIndex[$1.link] ?? 0) }
            var hosts: [(ip: String, name: String)] = []
            if emitting, lanAddress(node.name) != nil {
                var seen = Set<String>()
                for name in ([node.name] + linkPeers.map(\.node)).sorted(by: { position($0) < position($1) }) where seen.insert(name).inserted {
                    if let address = lanAddress(name) { hosts.append((address.description, name)) }
                }
            }
            let lowered = AppKinds.lowering(node, owner: owner, topology: topology, kinds: kinds)
            let routed = node.apps.contains(.litellm) ? routing.clusters(routedBy: owner, among: clusters) : []
            // A gateway keeps the token of each backend of its tailnet that asks for one.
            let backendKeys =
                node.apps.contains(.litellm)
                ? (backendsByTailnet[node.tailnet ?? owner.tailnet] ?? []).compactMap { $0.keyPlacement(group: AppContext.composeReaderGroup(of: node)) }
                : []
            let offerKeys = offerKeys(node, offers: offers, topology: topology)
            let secrets = secretFiles(
                for: node,
                placements: lowered.flatMap { $0.kind.secrets($0.context) } + tailnetKeys(node, roles: roles, routed: routed) + backendKeys
                    + offerKeys,
                roles: roles)
            return NodePlan(
                node: node, owner: ownerPlanByName[owner.name]!, tailnet: identities[node.tailnet ?? owner.tailnet]!,
                stackDir: topology.stack.dir.absolute(home: node.home), interfaces: interfaces[index],
                services: lowered.flatMap { $0.kind.listeners($0.context) } + clusterServices(node: node, roles: roles),
                workloads: (modelWorkloads[node.name] ?? []) + lowered.flatMap { $0.kind.workloads($0.context) }.map { loadingEveryKey($0, secrets) },
                litellm: litellm(
                    for: node, topology: topology, owner: owner, routes: routed,
                    backends: backendsByTailnet[node.tailnet ?? owner.tailnet] ?? [], aliases: aliases,
                    offered: offers.filter { $0.receivers.contains(node.name) }),
                operations: emitting ? lowered.map { $0.kind.operations($0.context) } : nil,
                secretFiles: secrets, clusterRoles: roles, linkPeers: linkPeers, hostsEntries: emitting ? hosts : nil,
                configFiles: emitting ? lowered.flatMap { $0.kind.configFiles($0.context) } : nil)
        }
        var ownersByTailnet: [String: [String]] = [:]
        for owner in topology.owners { ownersByTailnet[owner.tailnet, default: []].append(owner.name) }
        var nodesByTailnet: [String: [NodePlan]] = [:]
        for node in nodes { nodesByTailnet[node.tailnet.name, default: []].append(node) }
        let clusterOnlyPorts = Set(clusters.flatMap { $0.clusterOnlyPorts.map(\.port) })
        let tailnets = topology.tailnets.map { tailnet in
            let members = nodesByTailnet[tailnet.name] ?? []
            let memberNames = Set(members.map(\.name))
            return TailnetPlan(
                tailnet, owners: ownersByTailnet[tailnet.name] ?? [], nodes: members,
                policy: TailnetPolicyPlanner.policy(
                    tailnet, nodes: members, clusterOnlyPorts: clusterOnlyPorts, backends: backendsByTailnet[tailnet.name] ?? [],
                    offers: offers.filter { offer in offer.via == .tailnet && memberNames.contains(offer.gateway) }))
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
        let routingTargets =
            clusters.map { RoutingTarget($0, proxies: proxies[$0.servedName] ?? []) }
            + backends.map { RoutingTarget($0, proxies: proxies[$0.name] ?? []) }
        var plan = Plan(
            topology: topology, sourceName: sourceName, links: links, nodes: nodes, clusters: clusters, tailnets: tailnets, hosts: hosts,
            catalogs: catalogs, owners: ownerPlans, routingTargets: routingTargets)
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
}
