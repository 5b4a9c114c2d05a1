import SparkDiagnostics
import SparkPlan

/// A picture of the stack: nodes grouped by owner, the tailnets and the LANs, model clusters
/// on their links, and every flow the reachability model allows to a listener, labelled
/// with its ports. Rendered as Mermaid (shown by GitHub and GitLab) or Graphviz DOT.
public struct TopologyGraph {
    public enum Format: String, CaseIterable, Sendable { case mermaid, dot }

    /// An allowed flow: from a place to a node, with the listeners it reaches.
    struct Flow {
        let from: String
        let to: String
        let listeners: [String]
    }

    let plan: Plan

    public init(plan: Plan) {
        self.plan = plan
    }

    public func render(_ format: Format) -> String {
        format == .mermaid ? mermaid() : dot()
    }

    /// Owners in order of their first node, each with their nodes.
    var owners: [(name: String, nodes: [NodePlan])] {
        var order: [String] = []
        var nodes: [String: [NodePlan]] = [:]
        for node in plan.nodes {
            if nodes[node.owner.name] == nil { order.append(node.owner.name) }
            nodes[node.owner.name, default: []].append(node)
        }
        return order.map { ($0, nodes[$0]!) }
    }

    /// Flows from every vantage but the node itself, grouped by (from, to), in a stable order.
    var flows: [Flow] {
        var order: [String] = []
        var listeners: [String: [String]] = [:]
        for entry in Reachability.relevant(plan).entries where entry.reachable {
            guard let node = plan.node(named: entry.node), let from = source(of: entry.vantage, toward: node) else { continue }
            let key = "\(from)\u{0}\(entry.node)"
            if listeners[key] == nil { order.append(key) }
            // What another owner's gateway may call there: only the models offered to it, with the key.
            let offer = plan.offers.first { offer in
                guard offer.gateway == entry.node, offer.port == entry.service.port else { return false }
                return offer.receivers.contains { receiver in
                    let vantage: Vantage = offer.lan.map { Vantage.linkPeer(receiver, link: $0) } ?? .tailnetTag
                    return entry.vantage == vantage
                }
            }
            let offered = offer.map { " offers \($0.servedNames.joined(separator: " "))" } ?? ""
            listeners[key, default: []].append("\(entry.service.port) \(entry.service.name)\(offered)")
        }
        let toNodes = order.map { key in
            let parts = key.split(separator: "\u{0}").map(String.init)
            return Flow(from: parts[0], to: Self.id("node", parts[1]), listeners: listeners[key]!)
        }
        // A backend's server is no node of the plan: the policy grants the tailnet's tag its port.
        let toBackends = plan.backends.map { backend in
            Flow(from: Self.id("tag", backend.tailnet), to: Self.id("host", backend.host), listeners: ["\(backend.port) backend \(backend.name)"])
        }
        return toNodes + toBackends
    }

    /// The tailnets whose tag some flow starts from, each once, in the order of `plan.tailnets`.
    private func tags(in flows: [Flow]) -> [TailnetPlan] {
        let used = Set(flows.map(\.from))
        return plan.tailnets.filter { used.contains(Self.id("tag", $0.name)) }
    }

    /// The tailnets whose shared-in users some flow starts from, each once, in the order of `plan.tailnets`.
    private func sharedIn(_ flows: [Flow]) -> [TailnetPlan] {
        let used = Set(flows.map(\.from))
        return plan.tailnets.filter { used.contains(Self.id("shared", $0.name)) }
    }

    /// How a tailnet's shared-in users are named in the picture.
    private static func sharedLabel(_ tailnet: TailnetPlan) -> String {
        "users of \(tailnet.name) who accepted a share (not its tagged nodes)"
    }

    /// The graph id of the place a vantage stands for; nil for the node itself.
    private func source(of vantage: Vantage, toward node: NodePlan) -> String? {
        switch vantage {
        // Code a Ray peer runs on the node stands where the node's own processes do: no flow
        // across a network to draw; `spark-gen trust` lists what it reaches.
        case .local, .rayPeer: return nil
        case .ownTailnet: return Self.id("tailnet", node.tailnet.name)
        case .tailnetTag: return Self.id("tag", node.tailnet.name)
        // A share admits the other tailnet's users who accepted it, never its tagged nodes
        // (tailscale/tailscale#5321), so the flow starts from them, not from the whole tailnet.
        case .otherTailnet(let name): return Self.id("shared", name)
        case .linkPeer(let name, _): return Self.id("node", name)
        case .lan(let name): return Self.lanID(name)
        case .host(let name, _): return Self.id("host", name)
        }
    }

    /// Graph ids of letters, digits and '_' only, so both languages take them unquoted.
    static func id(_ kind: String, _ name: String) -> String { kind + "_" + sanitized(name) }

    /// A LAN's id, `mgmt_lan` for the LAN named `mgmt`.
    static func lanID(_ name: String) -> String { sanitized(name) + "_lan" }

    private static func sanitized(_ name: String) -> String {
        String(name.unicodeScalars.map { ($0.properties.isAlphabetic || ("0"..."9").contains($0)) && $0.isASCII ? Character($0) : "_" })
    }

    private func nodeLabel(_ node: NodePlan) -> String {
        var label = node.name
        let addresses = node.interfacesLANFirst.map { "\($0.link.label) \($0.address)" }
        if !addresses.isEmpty { label += "<br/>" + addresses.joined(separator: " · ") }
        let apps = node.apps.map(\.rawValue)
        if !apps.isEmpty { label += "<br/>\(apps.joined(separator: ", "))" }
        return label
    }

    /// The picture of this plan with the flows a change from `base` adds marked (`+`, a thick red
    /// link) and the ones it removes drawn dashed (`−`), for `spark-gen review --format markdown`.
    public func mermaid(comparedWith base: Plan) -> String { mermaid(base: base) }

    /// The picture; with a `base`, the flows it lacks are marked and the ones it had drawn dashed.
    private func mermaid(base: Plan? = nil) -> String {
        let old = Dictionary(
            (base.map { TopologyGraph(plan: $0).flows } ?? []).map { ("\($0.from) \($0.to)", Set($0.listeners)) }, uniquingKeysWith: { $0.union($1) })
        let flows = flows
        var text = declarations(tags: tags(in: flows), shared: sharedIn(flows))
        var links = plan.clusters.filter(\.isMultiNode).reduce(0) { $0 + $1.workers.count }
        var marked: [Int] = []
        var seen = Set<String>()
        for flow in flows {
            let key = "\(flow.from) \(flow.to)"
            seen.insert(key)
            // Without a base nothing is new.
            let before = base == nil ? Set(flow.listeners) : old[key] ?? []
            let labels = flow.listeners.map { before.contains($0) ? $0 : "+ \($0)" }
            if labels.contains(where: { $0.hasPrefix("+ ") }) { marked.append(links) }
            text += "  \(flow.from) -->|\"\(labels.joined(separator: ", "))\"| \(flow.to)\n"
            links += 1
            let gone = before.subtracting(flow.listeners).sorted()
            if !gone.isEmpty {
                text += "  \(flow.from) -.->|\"\(gone.map { "− \($0)" }.joined(separator: ", "))\"| \(flow.to)\n"
                links += 1
            }
        }
        // Flows that are gone entirely, between places this picture has.
        let places = Set(
            plan.nodes.map { Self.id("node", $0.name) } + plan.tailnets.flatMap { [Self.id("tailnet", $0.name), Self.id("shared", $0.name)] }
                + plan.lans.map { Self.lanID($0.name) })
        for (key, listeners) in old.sorted(by: { $0.key < $1.key }) where !seen.contains(key) {
            let ends = key.split(separator: " ").map(String.init)
            guard ends.count == 2, places.contains(ends[0]), places.contains(ends[1]) else { continue }
            text += "  \(ends[0]) -.->|\"\(listeners.sorted().map { "− \($0)" }.joined(separator: ", "))\"| \(ends[1])\n"
            links += 1
        }
        if !marked.isEmpty {
            text += "  linkStyle \(marked.map(String.init).joined(separator: ",")) stroke:#d00,stroke-width:3px\n"
        }
        return text
    }

    /// The chart's nodes and cluster links, before the flows.
    private func declarations(tags: [TailnetPlan], shared: [TailnetPlan]) -> String {
        var text = "flowchart LR\n"
        for owner in owners {
            text += "  subgraph \(Self.id("owner", owner.name))[\"owner \(owner.name)\"]\n"
            for node in owner.nodes {
                text += "    \(Self.id("node", node.name))[\"\(nodeLabel(node))\"]\n"
            }
            text += "  end\n"
        }
        for tailnet in plan.tailnets {
            text += "  \(Self.id("tailnet", tailnet.name))([\"tailnet \(tailnet.name)\"])\n"
        }
        for tailnet in tags { text += "  \(Self.id("tag", tailnet.name))([\"\(tailnet.tag): the nodes of \(tailnet.name)\"])\n" }
        for tailnet in shared { text += "  \(Self.id("shared", tailnet.name))([\"\(Self.sharedLabel(tailnet))\"])\n" }
        for lan in plan.lans { text += "  \(Self.lanID(lan.name))([\"\(Vantage.lan(lan.name))\"])\n" }
        for host in plan.hosts { text += "  \(Self.id("host", host.name))[/\"host \(host.name)\"/]\n" }
        for cluster in plan.clusters where cluster.isMultiNode {
            for worker in cluster.workers {
                text += "  \(Self.id("node", cluster.head.name)) ==>|\"Ray + NCCL, both ways: \(cluster.name)\"| \(Self.id("node", worker.name))\n"
            }
        }
        return text
    }

    private func dot() -> String {
        let flows = flows
        var text = "digraph stack {\n  rankdir=LR;\n  node [shape=box];\n"
        for owner in owners {
            text += "  subgraph cluster_\(Self.id("owner", owner.name)) {\n    label=\"owner \(owner.name)\";\n"
            for node in owner.nodes {
                text += "    \(Self.id("node", node.name)) [label=\"\(nodeLabel(node).replacingAll("<br/>", with: "\\n"))\"];\n"
            }
            text += "  }\n"
        }
        for tailnet in plan.tailnets {
            text += "  \(Self.id("tailnet", tailnet.name)) [shape=ellipse, label=\"tailnet \(tailnet.name)\"];\n"
        }
        for tailnet in tags(in: flows) {
            text += "  \(Self.id("tag", tailnet.name)) [shape=ellipse, label=\"\(tailnet.tag): the nodes of \(tailnet.name)\"];\n"
        }
        for tailnet in sharedIn(flows) {
            text += "  \(Self.id("shared", tailnet.name)) [shape=ellipse, label=\"\(Self.sharedLabel(tailnet))\"];\n"
        }
        for lan in plan.lans { text += "  \(Self.lanID(lan.name)) [shape=ellipse, label=\"\(Vantage.lan(lan.name))\"];\n" }
        for host in plan.hosts { text += "  \(Self.id("host", host.name)) [shape=parallelogram, label=\"host \(host.name)\"];\n" }
        for cluster in plan.clusters where cluster.isMultiNode {
            for worker in cluster.workers {
                text +=
                    "  \(Self.id("node", cluster.head.name)) -> \(Self.id("node", worker.name)) [dir=both, style=bold, label=\"Ray + NCCL: \(cluster.name)\"];\n"
            }
        }
        for flow in flows {
            text += "  \(flow.from) -> \(flow.to) [label=\"\(flow.listeners.joined(separator: "\\n"))\"];\n"
        }
        return text + "}\n"
    }
}
