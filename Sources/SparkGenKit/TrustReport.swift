import SparkEmit
import SparkJSON
import SparkPlan
import SparkSpec

/// The trust model a topology implies, in words and tables: who can read whose prompts, who
/// can run code where, and which vantage point reaches which port. Derived from the same plan
/// the firewall and tailnet policy are written from.
public struct TrustReport {
    let plan: Plan
    /// The gateway every owner's requests pass, by the name its kind gives it.
    static let gateway = App.litellm.proseName

    public init(plan: Plan) {
        self.plan = plan
    }

    public func render() -> String {
        var text = "Trust model of stack \(plan.stackName) (\(plan.sourceName))\n"
        text += visibility()
        text += outsideHosts()
        text += codeExecution()
        text += sshKeys()
        text += crossOwner()
        text += OfferReport(plan: plan).section()
        text += nodeIdentities()
        text += reachability()
        return text
    }

    /// The reachability matrix as JSON, one object per (node, port, vantage), for test harnesses.
    public func renderJSON() throws -> String {
        let matrix = Reachability(plan)
        let cells: [JSONValue] = matrix.entries.map { entry in
            .object([
                ("node", .string(entry.node)),
                ("port", .int(entry.service.port)),
                ("service", .string(entry.service.name)),
                ("bind", .string(entry.service.bindAddress)),
                ("vantage", .string(entry.vantage.token)),
                ("reachable", .bool(entry.reachable)),
            ])
        }
        // The wiring a harness needs to stand up the networks; what listens and what the
        // firewall admits it must read from the generated artifacts, not from here.
        let neighbours = Reachability.lanNeighbours(plan)
        let links: [JSONValue] = plan.links.map { link in
            .object([
                ("name", .string(link.name)),
                ("kind", .string(link.kind.rawValue)),
                ("subnet", .string(link.subnet.description)),
                ("neighbour", neighbours[link.name].map { .string($0.description) } ?? .null),
            ])
        }
        let nodes: [JSONValue] = plan.nodes.map { node in
            .object([
                ("name", .string(node.name)),
                (
                    "interfaces",
                    .array(
                        node.interfaces.map { interface in
                            .object([
                                ("link", .string(interface.link.name)),
                                ("ip", .string(interface.address.description)),
                                ("device", interface.device.map { .string($0) } ?? .null),
                            ])
                        })
                ),
                ("tailnet", .string(node.tailnet.name)),
                ("stack_dir", .string(node.stackDir)),
                // Its declared tailnet address (a model listening on the tailnet binds it), if any.
                ("tailnet_ip", node.tailnetIP.map { .string($0.description) } ?? .null),
                ("tag", .string(node.tailnet.tag)),
                // Cluster peers the firewall admits on every port of this node's link address.
                (
                    "every_port_from",
                    .array(
                        everyPortPeers(node).map { peer in
                            .object([("peer", .string(peer.peer)), ("link", .string(peer.link)), ("address", .string(peer.address))])
                        })
                ),
                // Every tag it advertises: its own too where it serves ports other nodes do not.
                ("tags", .array((plan.tailnet(named: node.tailnet.name)?.tags(of: node.name) ?? [node.tailnet.tag]).map { .string($0) })),
            ])
        }
        let hosts: [JSONValue] = plan.hosts.map { host in
            .object([
                ("name", .string(host.name)),
                (
                    "interfaces",
                    .array(
                        host.interfaces.map { interface in
                            .object([("link", .string(interface.link.name)), ("ip", .string(interface.address.description))])
                        })
                ),
                // A device of a tailnet (a backend's server): its tailnet, tag and MagicDNS name.
                ("tailnet", host.tailnet.map { .string($0) } ?? .null),
                ("tag", host.tag.map { .string($0) } ?? .null),
                ("tailnet_hostname", host.tailnetHostname.map { .string($0) } ?? .null),
            ])
        }
        // Servers spark-gen routes to but does not deploy.
        let backends: [JSONValue] = plan.backends.map { backend in
            .object([
                ("name", .string(backend.name)),
                ("model", .string(backend.model)),
                ("host", .string(backend.host)),
                ("tailnet", .string(backend.tailnet)),
                ("tag", .string(backend.tag)),
                ("port", .int(backend.port)),
                ("api_base", .string(backend.apiBase)),
            ])
        }
        return try JanssonEncoder.encode(
            .object([
                ("stack", .string(plan.stackName)),
                ("links", .array(links)),
                ("nodes", .array(nodes)),
                ("hosts", .array(hosts)),
                ("backends", .array(backends)),
                ("vantages", .array(matrix.vantages.map { .string($0.token) })),
                ("reachability", .array(cells)),
            ]))
    }

    /// Which parties see each owner's prompts and completions, and why.
    func visibility() -> String {
        var text = "\nWho can read each owner's prompts and completions\n"
        for owner in plan.owners {
            let proxies = plan.nodes.filter { $0.owner.name == owner.name && $0.litellm != nil }
            guard !proxies.isEmpty else {
                if plan.clusters.contains(where: { $0.head.owner == owner.name }) {
                    text +=
                        "  \(owner.name) (no \(Self.gateway)): every caller that reaches a model's port reads what it sends there; the reachability below says who does\n"
                }
                continue
            }
            text += "  \(owner.name) (\(Self.gateway) on \(proxies.map(\.name).joined(separator: ", ")))\n"
            var readers: [(String, String)] = []
            for proxy in proxies {
                readers.append((owner.name, "runs the \(Self.gateway) on \(proxy.name): keys, logs and every request"))
                for route in proxy.litellm?.routes ?? [] {
                    // A model another owner's gateway offers goes through that gateway's LiteLLM first.
                    if let offer = plan.offers.first(where: { $0.receivers.contains(proxy.name) && $0.apiBase == route.apiBase }) {
                        readers.append(
                            (
                                offer.from,
                                "runs the \(Self.gateway) on \(offer.gateway), which \(route.servedName) is offered through: its logs hold every request \(owner.name) sends there"
                            ))
                    }
                    guard let cluster = plan.cluster(serving: route.servedName) else { continue }
                    readers.append(
                        (
                            cluster.head.owner,
                            "runs the \(cluster.isMultiNode ? "vLLM head" : "\(cluster.runtime.kind.title) server") of \(cluster.name) on \(cluster.head.name), which serves the API: sees every prompt and completion"
                        ))
                    for worker in cluster.workers {
                        readers.append(
                            (
                                worker.owner,
                                "runs a parallel rank of \(cluster.name) on \(worker.name): vLLM sends the token ids of every prompt to all ranks, so this owner can read every prompt (not \"only floats\")"
                            ))
                    }
                }
            }
            var seen = Set<String>()
            for (reader, why) in readers where seen.insert("\(reader)|\(why)").inserted {
                text += "    - \(reader): \(why)\n"
            }
        }
        return text
    }

    /// What each host spark-gen does not deploy to reaches: whoever controls it has what those
    /// listeners give without a login.
    func outsideHosts() -> String {
        guard !plan.hosts.isEmpty || !plan.backends.isEmpty else { return "" }
        var text = "\nHosts spark-gen does not deploy to\n"
        let matrix = Reachability.relevant(plan)
        for host in plan.hosts where !host.interfaces.isEmpty {
            var reached: [String] = []
            for entry in matrix.entries where entry.reachable {
                guard case .host(host.name, _) = entry.vantage, entry.service.role != .ssh else { continue }
                reached.append("\(entry.service.name) (\(entry.service.port)) on \(entry.node)")
            }
            let addresses = host.interfaces.map { "\($0.address) on \($0.link.phrase)" }.joined(separator: ", ")
            if reached.isEmpty {
                text += "  - \(host.name) (\(addresses)): no listener beyond ssh\n"
                continue
            }
            text += "  - \(host.name) (\(addresses)) reaches, with no login: \(reached.joined(separator: ", ")). "
            text += "Whoever controls \(host.name) reads and sends every request to them; the firewalls admit its address alone of its LAN.\n"
        }
        for backend in plan.backends {
            text +=
                "  - \(backend.host) serves backend \(backend.name) on \(backend.port) to the tailnet \(backend.tailnet)'s nodes (grant to \(backend.tag)): "
            text += "it reads every request routed or fallen back to it; spark-gen does not deploy it, so its own firewall must keep "
            text += "the port off every other network.\n"
        }
        return text
    }

    /// Ray clusters whose members belong to different owners, and the mitigations in place.
    func codeExecution() -> String {
        var text = "\nWho can run code on whose nodes\n"
        var any = false
        for cluster in plan.clusters where cluster.isMultiNode {
            any = true
            let members = cluster.members.map { "\($0.name) (\($0.owner))" }.joined(separator: ", ")
            text += "  - model \(cluster.name): \(members) form one Ray cluster: any member can run code on every member (Ray has no access control between"
            text += " the jobs of a cluster, docs.ray.io/en/latest/cluster/faq.html), and an exposed dashboard or job API makes that remote"
            text += " code execution for whoever reaches it (docs.ray.io/en/latest/ray-security/index.html).\n"
            text += "    Mitigations applied: no dashboard or job API (minimal Ray \(cluster.rayVersion ?? "") with --include-dashboard=false);"
            // A multi-node cluster always has a link; "the DAC" for the link of a version-1 topology.
            let link = cluster.link?.phrase ?? "the cluster's link"
            text += " vLLM API on \(cluster.apiHost):\(cluster.port); NCCL and Gloo on the interface of \(link);"
            text += " ufw admits only the cluster peers on that interface, and the tailnet policy grants no Ray port.\n"
            text += "    Not in spark-gen's hands: Ray's GCS (\(cluster.rayPort)) and raylet listen on every address in every Ray release,"
            text += " and the Ray client server (\(ClusterPlan.rayClientPort)) on the head's address on \(link): any cluster member reaches them.\n"
            let pinned = cluster.rayNodeListeners.map { "\($0.name) \($0.port) (\($0.everyAddress ? "every address" : "the member's address"))" }
            text += "    Ray's ports, pinned on every member: GCS \(cluster.rayPort) on the head (every address), " + pinned.joined(separator: ", ")
            text +=
                ", and one port per Ray worker process in \(ClusterPlan.rayWorkerPorts.lowerBound)-\(ClusterPlan.rayWorkerPorts.upperBound) (every address).\n"
            text += containers(cluster)
            if let token = cluster.runtime.rayToken {
                text += "    Ray token authentication: on (RAY_AUTH_MODE=token, token from \(token.file) on every member).\n"
            } else {
                text += "    Not applied: Ray token authentication (RAY_AUTH_MODE=token, Ray 2.52 and later); set runtime.ray_token.\n"
            }
            // What a task a peer schedules reaches on each member: the token keeps strangers out, not peers.
            for member in cluster.members {
                guard let node = plan.node(named: member.name) else { continue }
                text += "    " + rayPeerReach(node, peers: cluster.members.filter { $0.name != member.name }) + "\n"
            }
        }
        if !any { text += "  - no multi-node cluster: no node runs code for another\n" }
        return text
    }

    /// What code a Ray peer schedules on `node` reaches there. Ray runs whatever a member
    /// submits ("anybody who can access the associated ports can execute arbitrary code on your
    /// Ray Cluster", docs.ray.io/en/latest/ray-security/index.html) with no access control between
    /// jobs ("Jobs have full access to a Ray cluster and all of the resources within it",
    /// docs.ray.io/en/latest/cluster/faq.html), and the Ray container runs with `--network host`.
    func rayPeerReach(_ node: NodePlan, peers: [ClusterMember]) -> String {
        let names = peers.map { "\($0.name) (\($0.owner))" }.joined(separator: ", ")
        let listeners = Reachability.listeners(of: node).map { "\($0.name) \($0.port) (\($0.bindAddress))" }
        var text = "On \(node.name) (\(node.owner.name)), code that \(names) schedule\(peers.count == 1 ? "s" : "") there runs in the Ray container "
        text += "on the host's network, so it reaches every listener of \(node.name), loopback included: \(listeners.joined(separator: ", ")), "
        text += "and \(Self.everyPort(of: node)), whatever listens there"
        if Self.rayContainerHoldsNetRaw {
            text += "; with Docker's default capabilities (NET_RAW) it also reads plain-HTTP loopback traffic, the \(Self.gateway) master key "
            text += "smoke.sh and verify.sh send to 127.0.0.1 included"
        }
        return text + "."
    }

    /// Whether the Ray containers keep NET_RAW, with which a task captures the node's loopback
    /// traffic: they drop every capability and add back only what VLLMContainer keeps.
    static let rayContainerHoldsNetRaw = VLLMContainer.capabilities(rdma: true, port: 8000).contains("NET_RAW")

    /// Every address a process of the node can be reached on: loopback, its link and LAN
    /// addresses, and its tailnet address when the topology states it.
    static func everyPort(of node: NodePlan) -> String {
        let addresses = ["127.0.0.1"] + node.interfaces.map(\.address.description)
        return "every port on " + addresses.joined(separator: ", ") + " and " + (node.tailnetIP.map { "\($0) (tailnet)" } ?? "its tailnet address")
    }

    /// What a member's code may do inside the containers it runs in (flags and sources in
    /// SparkPlan's VLLMContainer), and what the hardening leaves it.
    func containers(_ cluster: ClusterPlan) -> String {
        let kept = VLLMContainer.capabilities(rdma: true, port: cluster.port).joined(separator: ", ")
        var text =
            "    Containers: root without capabilities but \(kept) (IPC_LOCK: NCCL pins the memory it registers with the RDMA device), no-new-privileges, their own /dev/shm "
        text += "(--shm-size \(VLLMContainer.rayShmSize), not the host's IPC namespace); the Hugging Face hub cache read-only "
        text += "(HF_HUB_OFFLINE=1); each keeps its compile cache in a Docker volume of its own "
        text += "(\(VLLMContainer.compileCacheVolume(cluster.name)) on every member).\n"
        text += "    Left: a member's code still runs as that root on the host network, and can rewrite this cluster's compile "
        text += "cache, which the next start loads: after a member leaves, `docker volume rm \(VLLMContainer.compileCacheVolume(cluster.name))` "
        text += "on every node (with the containers removed) before starting again.\n"
        return text
    }

    /// Every ssh key spark-gen installs, or has the operator install: each is code execution as
    /// its node's user, who is in the docker group and so root. What limits it is its
    /// authorized_keys options (sshd(8), AUTHORIZED_KEYS FILE FORMAT) and its gate script.
    func sshKeys() -> String {
        var text = "\nssh keys spark-gen installs: code execution as the node's user (in the docker group, so root)\n"
        let gates = SSHGate.gates(in: plan)
        for gate in gates {
            text += "  - \(gate.node.name) (\(gate.node.user), owner \(gate.node.owner.name)): the key of \(gate.holderPhrase), "
            text += "from \(gate.from) alone; restrict (no port forwarding to the node's loopback or other links, no agent or X11 "
            text += "forwarding, no pty, no ~/.ssh/rc); command=\(gate.scriptPath) runs only: "
            text += gate.commands.map(\.purpose).joined(separator: "; ")
            text += ". Anything else is refused and logged (journalctl -t spark-gen-gate).\n"
        }
        if gates.isEmpty {
            text += "  - none\n"
        } else {
            text += "  Installed by scripts/ssh-authorize.sh HOLDER on the node (the runbooks' catalog steps); a line of the same key "
            text += "without these options is replaced.\n"
        }
        text += "  Not spark-gen's: the keys the owners log in with, each a full shell and root through docker.\n"
        return text
    }

    /// The cluster peers the firewall admits on every port of the node's address on a link (NCCL,
    /// Gloo and Ray's workers connect on ports no flag pins), ahead of its deny rules' exceptions.
    func everyPortPeers(_ node: NodePlan) -> [(peer: String, link: String, address: String)] {
        node.clusterInterfaces.flatMap { interface in
            FirewallPlanner.inboundPeers(of: node, on: interface.link.name, in: plan)
                .filter { FirewallPlanner.isClusterPeer(node, $0, on: interface.link.name) }
                .map { (peer: $0.name, link: interface.link.name, address: interface.address.description) }
        }
    }

    /// Every cell where a node or tailnet of one owner reaches a listener of another owner.
    func crossOwner() -> String {
        let matrix = Reachability(plan)
        var text = "\nWhere one owner reaches another owner's listeners\n"
        var lines: [String] = []
        // A Ray peer's code reaches every listener of the node: one line per node below says so.
        for entry in matrix.entries where entry.reachable && entry.vantage != .rayPeer {
            guard let node = plan.node(named: entry.node) else { continue }
            let foreign = Reachability.otherOwners(of: entry.vantage, toward: node, in: plan)
            guard !foreign.isEmpty else { continue }
            var line = "  - \(foreign.joined(separator: ", ")) → \(node.owner.name): \(entry.vantage.description) reaches "
            line += "\(entry.service.name) (\(entry.service.port)) on \(node.name)"
            if let why = reason(entry.service, node: node, vantage: entry.vantage) { line += ": \(why)" }
            lines.append(line)
        }
        for node in plan.nodes {
            let foreignPeers = Reachability.rayPeers(of: node).filter { $0.owner != node.owner.name }
            if !foreignPeers.isEmpty {
                let owners = Array(Set(foreignPeers.map(\.owner))).sorted().joined(separator: ", ")
                let listeners = Reachability.listeners(of: node).map { "\($0.name) (\($0.port))" }.joined(separator: ", ")
                lines.append(
                    "  - \(owners) → \(node.owner.name): code a Ray peer (\(foreignPeers.map(\.name).joined(separator: ", "))) runs on \(node.name)"
                        + " reaches every listener there, loopback included: \(listeners), and \(Self.everyPort(of: node)):"
                        + " Ray runs any member's tasks on every member, in the Ray container on the host's network (TR001)")
            }
            for reach in everyPortPeers(node) {
                guard let peer = plan.node(named: reach.peer), peer.owner.name != node.owner.name else { continue }
                lines.append(
                    "  - \(peer.owner.name) → \(node.owner.name): \(peer.name) reaches every port on \(reach.address) (\(node.name), link \(reach.link))"
                        + " but ssh and the apps' ports, which its firewall denies first: whatever listens on every address or on"
                        + " \(reach.address), Ray's workers (\(ClusterPlan.rayWorkerPorts.lowerBound)-\(ClusterPlan.rayWorkerPorts.upperBound)) and NCCL's ephemeral ports included"
                )
            }
        }
        text += lines.isEmpty ? "  - none: no node or tailnet of one owner reaches a listener of another\n" : lines.joined(separator: "\n") + "\n"
        return text
    }

    /// What each node can open on its tailnet as itself (its tag): a node whose Ray peer belongs to
    /// another owner runs that owner's code, so its identity should reach none of the members' devices.
    func nodeIdentities() -> String {
        var text = "\nWhat each node's own tailnet identity reaches\n"
        for node in plan.nodes {
            guard let tailnet = plan.tailnet(named: node.tailnet.name) else { continue }
            let tag = node.tailnet.tag
            let grants = tailnet.policy.grants(from: tag)
            let peers = node.clusterRoles.flatMap(\.cluster.members).filter { $0.owner != node.owner.name }.map(\.owner)
            let why = peers.isEmpty ? "" : " (its Ray peers belong to \(Array(Set(peers)).sorted().joined(separator: ", ")))"
            text += "  - \(node.name) as \(tag) on \(tailnet.name)\(why): "
            if grants.isEmpty {
                text += "nothing, no grant's source includes \(tag)\n"
            } else {
                text +=
                    grants.map { grant in
                        let ports = grant.ports.map { $0.map(String.init).joined(separator: ", ") } ?? "every port"
                        return "\(grant.destinations.joined(separator: ", ")) on \(ports)"
                    }.joined(separator: "; ") + "\n"
            }
        }
        return text
    }

    /// Why a cross-owner cell is open, when the plan says why.
    private func reason(_ service: Service, node: NodePlan, vantage: Vantage) -> String? {
        guard case .linkPeer(let peer, _) = vantage else { return "a share both tailnets state" }
        switch service.role {
        case .modelAPI(let model):
            guard let cluster = plan.cluster(ofModel: model) else { return nil }
            if cluster.members.contains(where: { $0.name == peer }) {
                return "the \(Self.gateway) of a cluster member (TR001: this owner already sees every prompt)"
            }
            return "the \(Self.gateway) of \(peer) routes this model (shared_with on the model)"
        case .rayGCS: return "a Ray worker of the same cluster (TR001)"
        case .rayNode: return "a member of the same Ray cluster (TR001)"
        default: return nil
        }
    }

    /// One table per node: each listening port against each vantage point.
    func reachability() -> String {
        let matrix = Reachability(plan)
        var text = "\nReachability (yes: a connection is admitted; yes*: admitted from another owner; —: refused or filtered)\n"
        for node in plan.nodes {
            let columns = matrix.vantages.filter { vantage in
                matrix.entries.contains { $0.node == node.name && $0.vantage == vantage }
            }
            let header = ["port", "service", "bind"] + columns.map(\.description)
            var rows: [[String]] = []
            for service in Reachability.listeners(of: node) {
                var row = [String(service.port), service.name, service.bindAddress]
                for vantage in columns {
                    let entry = matrix.entries.first { $0.node == node.name && $0.service == service && $0.vantage == vantage }
                    let foreign = Reachability.otherOwners(of: vantage, toward: node, in: plan)
                    row.append(entry?.reachable == true ? (foreign.isEmpty ? "yes" : "yes*") : "—")
                }
                rows.append(row)
            }
            text += "\n  \(node.name) (owner \(node.owner.name), tailnet \(node.tailnet.name))\n"
            text += Self.table([header] + rows, indent: "    ")
        }
        return text
    }

    /// Left-aligned columns separated by two spaces.
    static func table(_ rows: [[String]], indent: String) -> String {
        guard let width = rows.first?.count else { return "" }
        let widths = (0..<width).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }
            return indent + cells.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
