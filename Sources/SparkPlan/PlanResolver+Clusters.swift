import SparkDiagnostics
import SparkSpec

/// Where each model is reached: a listener on the tailnet, a catalog's shared port and panel,
/// the direct link or fabric its nodes share, and the link peers each node exchanges traffic with.
extension PlanResolver {
    /// A model that listens on its head's tailnet address: the head says which address that is,
    /// vLLM asks for a key there (anything tagged on the tailnet could call it otherwise), and it
    /// runs on one node (Ray's ports must stay off the tailnet).
    static func checkTailnetListener(_ model: Model, head: Node, into bag: inout DiagnosticBag) -> Bool {
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
                .resolveTailnetListen, "model '\(model.name)' listens on the tailnet, which spark-gen supports for a one-node vLLM only",
                at: model.path / "listen",
                help: "remove 'listen: tailnet', or run the model as vLLM on one node")
            fine = false
        }
        return fine
    }

    /// Each catalog with its head and the address its port listens on. Its models take turns on
    /// one port, so they must share a head; a panel must share a LAN with that head.
    static func catalogPlans(_ topology: Topology, hosts: [HostPlan], into bag: inout DiagnosticBag) -> [CatalogPlan] {
        var members: [String: [Model]] = [:]
        for model in topology.models { if let name = model.catalog { members[name, default: []].append(model) } }
        return topology.catalogs.compactMap { catalog -> CatalogPlan? in
            guard let models = members[catalog.name], let first = models.first else { return nil }
            let head = first.cluster.head
            for model in models.dropFirst() where model.cluster.head != head {
                bag.error(
                    .resolveSharingConflict,
                    "model '\(model.name)' of catalog '\(catalog.name)' runs its API on node '\(model.cluster.head)', but model '\(first.name)' on '\(head)'",
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
                        .resolveNoSharedLink, "host '\(name)', the panel of catalog '\(catalog.name)', shares no LAN with node '\(head)'",
                        at: catalog.path / "panel",
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

    /// The direct link or fabric a model's nodes and callers use: the one the cluster names, or
    /// the only one they all share; nil when nobody calls the model from another node.
    static func clusterLink(
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
    static func linkPeers(_ clusters: [ClusterPlan]) -> [String: Set<LinkPeer>] {
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
}
