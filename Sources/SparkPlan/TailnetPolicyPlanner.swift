import SparkDiagnostics
import SparkSpec

/// Derives a tailnet's policy: who reaches which app ports on the tailnet's tagged nodes, which
/// existing devices stay as open as they were, and the tests Tailscale runs on every save.
enum TailnetPolicyPlanner {
    /// `clusterOnlyPorts`: every port of the topology that only cluster nodes may reach.
    static func policy(
        _ tailnet: Tailnet, nodes: [NodePlan], clusterOnlyPorts: Set<Int>, backends: [BackendPlan] = [], offers: [OfferPlan] = []
    ) -> TailnetPolicy {
        // Sets and indexes beside the ordered lists: the tailnet's backends, shares and offers
        // grow with the fleet where few owners hold many nodes, so no search per item.
        var tagOwners = [(tag: tailnet.tag, owners: tailnet.admins)]
        var ownedTags: Set<String> = [tailnet.tag]
        for tag in backends.map(\.tag) where ownedTags.insert(tag).inserted {
            tagOwners.append((tag, tailnet.admins))
        }
        for tag in tailnet.keepOpenTags where tag != tailnet.tag {
            tagOwners.append((tag, tailnet.admins))
        }
        let group = usersGroup(tailnet)
        var grants: [TailnetPolicy.Grant] = []
        // `*` as a source would include tagged devices (it compiles to the whole tailnet range;
        // see headscale's recordings of Tailscale, policy/v2 testdata), the cluster nodes among them, and a node
        // whose Ray peer belongs to another owner must not reach this owner's own devices.
        if let kept = keptOpen(tailnet) { grants.append(kept) }
        let granted = grantedPorts(tailnet, nodes: nodes)
        // Least privilege: ports that only some nodes serve go to those nodes' own tags.
        let split = appTags(tailnet, nodes: nodes)
        let onTag = split.isEmpty ? granted : commonPorts(tailnet, nodes: nodes)
        if !onTag.isEmpty {
            grants.append(.init(sources: [group], destinations: [tailnet.tag], ports: onTag, path: nil))
        }
        for entry in split {
            tagOwners.append((entry.tag, tailnet.admins))
            grants.append(.init(sources: [group], destinations: [entry.tag], ports: entry.ports, path: nil))
        }
        // A model that listens on the tailnet answers the tailnet's own tag (the nodes whose LiteLLM
        // calls it, with its key), never its users.
        let peerPorts = Set(
            nodes.flatMap { node in
                node.services.filter { if case .tailnetPeers = $0.exposure { return true } else { return false } }.map(\.port)
            }
        ).sorted()
        if !peerPorts.isEmpty {
            grants.append(.init(sources: [tailnet.tag], destinations: [tailnet.tag], ports: peerPorts, path: nil))
        }
        // The gateways reach the servers spark-gen routes to but does not deploy, on their ports only.
        var backendPorts: [(tag: String, ports: [Int])] = []
        var backendIndex: [String: Int] = [:]
        for backend in backends {
            if let index = backendIndex[backend.tag] {
                if !backendPorts[index].ports.contains(backend.port) { backendPorts[index].ports.append(backend.port) }
            } else {
                backendIndex[backend.tag] = backendPorts.count
                backendPorts.append((backend.tag, [backend.port]))
            }
        }
        for (tag, ports) in backendPorts {
            grants.append(.init(sources: [tailnet.tag], destinations: [tag], ports: ports.sorted(), path: nil))
        }
        // A gateway offered to another owner's gateway on this tailnet: its LiteLLM port, to the
        // nodes' tag (the other gateway carries it), on the offering node's own tag where it has one.
        var offered: [String] = []
        var offeredSet: Set<String> = []
        var splitTag: [String: String] = [:]
        for entry in split where splitTag[entry.node] == nil { splitTag[entry.node] = entry.tag }
        for offer in offers {
            let destination = splitTag[offer.gateway] ?? tailnet.tag
            let selector = "\(destination):\(offer.port)"
            guard offeredSet.insert(selector).inserted else { continue }
            offered.append(selector)
            grants.append(.init(sources: [tailnet.tag], destinations: [destination], ports: [offer.port], path: offer.path))
        }
        // A node is shared with users, never with a tag or a tagged device (tailscale.com/kb/1084/sharing:
        // "Devices cannot be shared with a tag or with another tagged device"; tailscale/tailscale#5321),
        // and this policy replaces the sharer's whole policy, so the users who accepted the share
        // (autogroup:shared) are admitted here or not at all. The destination is the node's tailnet
        // address: a grant to the tag does not admit shared-in users to a tagged device
        // (tailscale/tailscale#14445), so a shared node without tailnet_ip gets no grant rather
        // than one that does nothing (ST012 says so).
        var nodeByName: [String: NodePlan] = [:]
        if !tailnet.shares.isEmpty {
            for node in nodes where nodeByName[node.name] == nil { nodeByName[node.name] = node }
        }
        for share in tailnet.shares where !share.ports.isEmpty {
            var destinations: [String] = []
            for name in share.nodes {
                guard let destination = nodeByName[name]?.tailnetIP?.description else { continue }
                if !destinations.contains(destination) { destinations.append(destination) }
            }
            guard !destinations.isEmpty else { continue }
            grants.append(.init(sources: ["autogroup:shared"], destinations: destinations, ports: share.ports.sorted(), path: share.path))
        }
        for grant in tailnet.grants {
            grants.append(.init(sources: grant.sources, destinations: grant.destinations ?? [tailnet.tag], ports: grant.ports, path: grant.path))
        }
        let user = tailnet.users[0]
        // With the ports split, the tests show the node tags get them and the shared tag does not.
        let notOnTag = granted.filter { !onTag.contains($0) }
        var tests = [
            TailnetPolicy.Test(
                source: user, accept: onTag.map { "\(tailnet.tag):\($0)" } + split.flatMap { entry in entry.ports.map { "\(entry.tag):\($0)" } },
                deny: (deniedPorts(tailnet, nodes: nodes, clusterOnlyPorts: clusterOnlyPorts, granted: granted) + notOnTag).sorted().map {
                    "\(tailnet.tag):\($0)"
                }
                    + backendPorts.flatMap { entry in entry.ports.sorted().map { "\(entry.tag):\($0)" } })
        ]
        // The nodes' own identity reaches none of the members' devices or the kept-open devices.
        tests.append(
            TailnetPolicy.Test(
                source: tailnet.tag,
                accept: peerPorts.map { "\(tailnet.tag):\($0)" } + backendPorts.flatMap { entry in entry.ports.sorted().map { "\(entry.tag):\($0)" } }
                    + offered, deny: ["\(user):22"] + tailnet.keepOpenTags.filter { $0 != tailnet.tag }.map { "\($0):22" }))
        return TailnetPolicy(tagOwners: tagOwners, groups: [(group, tailnet.users)], grants: grants, tests: tests)
    }

    /// One grant keeps the devices the tailnet asked to keep open reachable, as they were: from
    /// `autogroup:member` and the kept-open tags to the kept-open tags, and to `autogroup:member`
    /// with `keep_members_open`; nil when it asks for neither.
    ///
    /// One grant, not one per kept-open tag each listing every kept-open tag as a source: that
    /// says the same in the square of the size (a tailnet with 200 kept-open tags wrote a 1 MB
    /// policy, and lint and build grew with it: bench/growth.sh, shape crowded). The same reach,
    /// because a grant admits every source its `src` covers to every destination its `dst`
    /// covers on its `ip`, and grants only add to each other: "When you list multiple selectors
    /// in a single src or dst array, the Tailscale policy engine uses the union of all entities
    /// matching any selector", and "If multiple grants match a connection, the Tailscale policy
    /// engine applies the union" (tailscale.com/kb/1538/grants-syntax, "Core concepts"). So k
    /// grants with one source list and one destination each, all on every port, admit exactly
    /// what one grant with that source list and the k destinations admits. Tailscale's own
    /// compilation shows the cross product: a grant from [tag:client, tag:prod] to [tag:server,
    /// tag:router] gives each tag:server and each tag:router device one rule admitting both
    /// tag:client and tag:prod devices (headscale's recording of Tailscale, juanfont/headscale@
    /// f20f1f12:hscontrol/policy/v2/testdata/grant_results/grant-p09-11c-naive.hujson).
    static func keptOpen(_ tailnet: Tailnet) -> TailnetPolicy.Grant? {
        guard tailnet.keepMembersOpen || !tailnet.keepOpenTags.isEmpty else { return nil }
        let sources = ["autogroup:member"] + tailnet.keepOpenTags
        let destinations = (tailnet.keepMembersOpen ? ["autogroup:member"] : []) + tailnet.keepOpenTags
        var paths: [SpecPath] = []
        if tailnet.keepMembersOpen { paths.append(tailnet.path / "keep_members_open") }
        if !tailnet.keepOpenTags.isEmpty { paths.append(tailnet.path / "keep_open_tags") }
        var tagPaths: [String: SpecPath] = [:]
        for (index, tag) in tailnet.keepOpenTags.enumerated() where tagPaths[tag] == nil {
            tagPaths[tag] = tailnet.path / "keep_open_tags" / index
        }
        return .init(sources: sources, destinations: destinations, ports: nil, paths: paths, tagPaths: tagPaths)
    }

    static func usersGroup(_ tailnet: Tailnet) -> String {
        "group:\(tailnet.tag.dropFirst("tag:".count))-users"
    }

    /// The tags a node advertises: the tailnet's, and its own where it serves ports that not every
    /// node of the tailnet serves.
    static func tags(of node: String, _ tailnet: Tailnet, nodes: [NodePlan]) -> [String] {
        [tailnet.tag] + appTags(tailnet, nodes: nodes).filter { $0.node == node }.map(\.tag)
    }

    /// Each node that serves tailnet-facing ports beyond those every node of the tailnet serves, with
    /// its own tag and those ports; empty when all serve the same (a grant to the tailnet's tag is
    /// then exact). A grant to the shared tag would open the ports on nodes that run none of the apps.
    static func appTags(_ tailnet: Tailnet, nodes: [NodePlan]) -> [(node: String, tag: String, ports: [Int])] {
        let served = nodes.map { node in Set(node.services.filter(\.isTailnetFacing).map(\.port)) }
        guard Set(served).count > 1 else { return [] }
        let common = served.dropFirst().reduce(served.first ?? []) { $0.intersection($1) }
        return zip(nodes, served).compactMap { node, ports in
            let own = ports.subtracting(common).sorted()
            return own.isEmpty ? nil : (node.name, "\(tailnet.tag)-\(node.name)", own)
        }
    }

    /// Ports every node of the tailnet serves, with ssh where the tailnet grants it, ascending.
    static func commonPorts(_ tailnet: Tailnet, nodes: [NodePlan]) -> [Int] {
        let served = nodes.map { node in Set(node.services.filter(\.isTailnetFacing).map(\.port)) }
        var ports = served.dropFirst().reduce(served.first ?? []) { $0.intersection($1) }
        if tailnet.ssh { ports.insert(22) }
        return ports.sorted()
    }

    /// Ports the tailnet's users may reach on the tag, in ascending order.
    static func grantedPorts(_ tailnet: Tailnet, nodes: [NodePlan]) -> [Int] {
        var ports = Set(nodes.flatMap { $0.services.filter(\.isTailnetFacing).map(\.port) })
        if tailnet.ssh { ports.insert(22) }
        return ports.sorted()
    }

    /// Ports that must never be reachable from the tailnet on its tagged nodes: what its nodes
    /// keep local, every cluster-only port of the topology, and ssh unless granted.
    static func deniedPorts(_ tailnet: Tailnet, nodes: [NodePlan], clusterOnlyPorts: Set<Int>, granted: [Int]) -> [Int] {
        var denied = Set(nodes.flatMap { $0.services.filter { !$0.isTailnetFacing }.map(\.port) })
        denied.formUnion(clusterOnlyPorts)
        if !tailnet.ssh { denied.insert(22) }
        return denied.subtracting(granted).sorted()
    }
}
