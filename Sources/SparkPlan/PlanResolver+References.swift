import SparkDiagnostics
import SparkSpec

/// The resolver's first pass: every name one section gives another (a node's owner, a model's
/// head, a route's model) must be declared, with the nearest declared name as a hint.
extension PlanResolver {
    /// `partial`: entries with errors are missing from `topology`, so only names are checked, and
    /// a name in `declared` is known even if its entry is missing.
    static func checkReferences(_ topology: Topology, partial: Bool = false, declared: Set<String> = [], into bag: inout DiagnosticBag) {
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
                    .resolveMissingSecret,
                    "node '\(node.name)' runs \(nims.map(\.rawValue).joined(separator: " and ")), NVIDIA's NIM\(nims.count > 1 ? "s" : ""), but owner '\(owner.name)' has no ngc_api_key",
                    at: node.path / "apps",
                    help: "add 'ngc_api_key: {file: \"~/.\(owner.name)-ngc.env\"}' to owner '\(owner.name)': a NIM pulls its model from NGC with it")
            }
            for app in nims {
                let options = node.appOptions[app]
                for (index, client) in (options?.clients ?? []).enumerated() where topology.host(named: client) == nil && !declared.contains(client) {
                    let names = topology.hosts.map(\.name)
                    bag.error(
                        .resolveUnknownReference, "unknown host '\(client)'", at: (options?.path ?? node.path) / "clients" / index,
                        help:
                            "\(Suggestion.hint(for: client, in: names))\(names.isEmpty ? "no hosts are defined: add it under 'hosts'" : "defined hosts: \(names.joined(separator: ", "))")"
                    )
                }
                if !partial, let clients = options?.clients, !clients.isEmpty, clients.allSatisfy({ topology.host(named: $0) != nil }),
                    SpeechKind.sharedLAN(node, clients: clients, topology: topology) == nil
                {
                    bag.error(
                        .resolveNoSharedLink, "the clients of \(app.rawValue) on node '\(node.name)' do not share one LAN with it",
                        at: (options?.path ?? node.path) / "clients",
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
                    help: members.isEmpty
                        ? "add 'catalog: \(catalog.name)' to the models that take turns in it"
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
}
