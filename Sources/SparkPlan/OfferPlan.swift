import SparkDiagnostics
import SparkSpec

/// An owner's gateway offering named models to another owner (`owners.<o>.offers[]`), resolved:
/// which LiteLLM offers them, which LiteLLMs of the other owner call it, at what address, with
/// which key.
///
/// The other owner reaches the models through the offering LiteLLM alone, with a virtual key
/// limited to the offered models (LiteLLM 1.106.2 refuses any other model for that key with
/// 403: proxy/auth/auth_checks.py, `can_key_call_model`, ModelAccessDeniedProxyException), and
/// never at a model's own port: the firewall or the tailnet policy admits the other gateway to
/// the LiteLLM port only, and the model's callers stay the offering owner's nodes.
public struct OfferPlan: Sendable {
    /// The offering owner and the owner offered to.
    public let from: String
    public let to: String
    /// The node whose LiteLLM offers the models.
    public let gateway: String
    /// The other owner's nodes that run a LiteLLM: each gets a backend per model, with the key.
    public let receivers: [String]
    /// The offered models' served names (what both LiteLLMs call them), in the offer's order.
    public let servedNames: [String]
    /// What each offered model can do, in the same order: the other owner's LiteLLM advertises
    /// the same tool calling, vision and output cap as the offering one.
    public let capabilities: [Capabilities]
    /// The offered models' keys in the topology, in the same order.
    public let models: [String]
    public let via: GatewayOffer.Via
    /// The LAN both gateways are on, for an offer over a LAN.
    public let lan: String?
    /// The offering LiteLLM as the other gateways call it.
    public let apiBase: String
    public let port: Int
    public let key: SecretRef
    public let path: SpecPath

    /// What an offered model does, as the offering gateway routes it.
    public struct Capabilities: Sendable {
        public let tools: Bool
        public let vision: Bool
        public let maxTokens: Int?
    }

    /// The virtual key's alias in the offering LiteLLM (LiteLLM keeps aliases unique).
    public var keyAlias: String { "offer-\(to)" }

    /// What a sentence calls the path: "over LAN home" or "over tailnet lab-net".
    public func phrase(tailnet: String) -> String {
        lan.map { "over LAN \($0)" } ?? "over tailnet \(tailnet)"
    }
}

extension OfferPlan {
    /// Every offer of the topology, each checked: the other owner exists and runs a LiteLLM, the
    /// offering owner's gateway routes every offered model, and the two gateways share the
    /// network the offer names. Each problem is one error at the entry that causes it.
    static func resolve<Cluster>(
        _ topology: Topology, routing: ModelRouting, clusters: [Cluster], servedName: (Cluster) -> (name: String, served: String, capabilities: Capabilities),
        backends: [BackendPlan], into bag: inout DiagnosticBag
    ) -> [OfferPlan] {
        var offers: [OfferPlan] = []
        for owner in topology.owners {
            for offer in owner.offers {
                if let plan = resolve(offer, of: owner, topology, routing: routing, clusters: clusters, servedName: servedName, backends: backends, into: &bag)
                {
                    offers.append(plan)
                }
            }
        }
        checkConflicts(offers, topology, into: &bag)
        return offers
    }

    /// What the runbooks could not carry out although each offer is sound alone: a second offer
    /// to the same owner (the same key alias, which LiteLLM keeps unique), two secrets one
    /// receiving LiteLLM loads under one variable (its env files are read in order, the later
    /// wins, so one backend would call with the other's key), and gateways that each receive
    /// the other's offer (each runbook copies the key before it starts LiteLLM, and mints after).
    private static func checkConflicts(_ offers: [OfferPlan], _ topology: Topology, into bag: inout DiagnosticBag) {
        var firstOffer: [String: OfferPlan] = [:]
        for offer in offers {
            let pair = "\(offer.from) \(offer.to)"
            if let earlier = firstOffer[pair] {
                bag.error(
                    .resolveOfferConflict,
                    "owner '\(offer.from)' offers models to '\(offer.to)' twice (also at \(earlier.path)): both keys would be minted as '\(offer.keyAlias)@\(offer.gateway)', and LiteLLM keeps a key alias unique",
                    at: offer.path / "to", help: "list every model offered to '\(offer.to)' in one entry's models, and remove this one")
            } else {
                firstOffer[pair] = offer
            }
        }
        // Each receiving LiteLLM: its owner's own secrets, then each offer's key, by variable.
        for receiver in Set(offers.flatMap(\.receivers)).sorted() {
            guard let node = topology.node(named: receiver), let owner = topology.owner(named: node.owner) else { continue }
            var byVariable: [String: SecretRef] = [:]
            for own in [owner.masterKey, owner.saltKey, owner.dbPassword, owner.redisPassword].compactMap({ $0 }) where byVariable[own.variable] == nil {
                byVariable[own.variable] = own
            }
            for offer in offers where offer.receivers.contains(receiver) {
                if let other = byVariable[offer.key.variable], other.file != offer.key.file {
                    bag.error(
                        .resolveOfferConflict,
                        "the LiteLLM on '\(receiver)' would load \(offer.key.variable) from \(offer.key.file) (the key '\(offer.from)' offers) and from \(other.file) (\(other.path)): the later file wins, so one of the two would hold the other's value",
                        at: offer.key.path,
                        help:
                            "name a variable of its own for this key: key: {file: \(offer.key.file), var: \(GatewayOffer.keyVariable)_\(offer.from.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.map(String.init).joined())}"
                    )
                } else {
                    byVariable[offer.key.variable] = offer.key
                }
            }
        }
        // A gateway waits for the keys of the offers it receives before it starts and mints its own.
        var waitsFor: [String: [OfferPlan]] = [:]
        for offer in offers {
            for receiver in offer.receivers { waitsFor[receiver, default: []].append(offer) }
        }
        var reported: Set<String> = []
        for offer in offers where !reported.contains(offer.gateway) {
            // Does the offering gateway wait, through the offers it receives, for a key that one
            // of its own receivers mints? Then that receiver waits for it too.
            var seen: Set<String> = [offer.gateway]
            var frontier = waitsFor[offer.gateway, default: []]
            var cycle: String? = nil
            while let next = frontier.popLast() {
                if offer.receivers.contains(next.gateway) {
                    cycle = next.gateway
                    break
                }
                guard seen.insert(next.gateway).inserted else { continue }
                frontier += waitsFor[next.gateway, default: []]
            }
            guard let cycle else { continue }
            reported.formUnion([offer.gateway, cycle])
            bag.error(
                .resolveOfferConflict,
                "owner '\(offer.from)' offers models to '\(offer.to)' through '\(offer.gateway)', which itself waits for a key '\(cycle)' mints: each gateway's runbook copies the keys offered to it before it starts LiteLLM and mints its own after, so neither gateway can start",
                at: offer.path,
                help:
                    "offer in one direction only (the other owner can reach the models through this offer's gateway), or give one owner a second LiteLLM node for the offer it receives"
            )
        }
    }

    private static func resolve<Cluster>(
        _ offer: GatewayOffer, of owner: Owner, _ topology: Topology, routing: ModelRouting, clusters: [Cluster],
        servedName: (Cluster) -> (name: String, served: String, capabilities: Capabilities), backends: [BackendPlan], into bag: inout DiagnosticBag
    ) -> OfferPlan? {
        let owners = topology.owners.map(\.name).filter { $0 != owner.name }
        guard let other = topology.owner(named: offer.to), other.name != owner.name else {
            let found = offer.to == owner.name ? "an offer of owner '\(owner.name)' to itself" : "an offer to unknown owner '\(offer.to)'"
            bag.error(
                .resolveUnknownReference,
                "\(found); an offer goes to another owner of the topology (\(owners.isEmpty ? "there is none" : owners.map { "'\($0)'" }.joined(separator: ", ")))",
                at: offer.path / "to",
                help: "\(Suggestion.hint(for: offer.to, in: owners))name an owner under 'owners', or remove the offer")
            return nil
        }
        let gateways = topology.nodes.filter { $0.owner == owner.name && $0.apps.contains(.litellm) }
        guard let gateway = gateways.first else {
            bag.error(
                .resolveMissingApp, "owner '\(owner.name)' offers models to '\(other.name)' but runs no LiteLLM to offer them through",
                at: offer.path, help: "add litellm (and litellm-db, which keeps the key) to the apps of one of \(owner.name)'s nodes")
            return nil
        }
        let receivers = topology.nodes.filter { $0.owner == other.name && $0.apps.contains(.litellm) }
        guard !receivers.isEmpty else {
            bag.error(
                .resolveMissingApp, "owner '\(other.name)' runs no LiteLLM to call the models owner '\(owner.name)' offers",
                at: offer.path / "to", help: "add litellm to the apps of one of \(other.name)'s nodes: it calls the offered models with the key")
            return nil
        }
        guard !offer.models.isEmpty else {
            bag.error(
                .specEmptyValue, "owner '\(owner.name)' offers no model to '\(other.name)'", at: offer.path / "models",
                help: "name at least one model the LiteLLM on '\(gateway.name)' routes, or remove the offer")
            return nil
        }
        // The models the gateway routes: its owner's clusters and its tailnet's backends.
        let routed =
            routing.clusters(routedBy: owner, among: clusters).map(servedName)
            + backends.filter { $0.tailnet == (gateway.tailnet ?? owner.tailnet) }.map {
                (name: $0.name, served: $0.name, capabilities: Capabilities(tools: false, vision: $0.vision, maxTokens: nil))
            }
        var served: [String] = []
        var capabilities: [Capabilities] = []
        var failed = false
        for (index, model) in offer.models.enumerated() {
            if let match = routed.first(where: { $0.name == model }) {
                served.append(match.served)
                capabilities.append(match.capabilities)
                continue
            }
            failed = true
            let known = topology.models.contains { $0.name == model } || topology.backends.contains { $0.name == model }
            bag.error(
                known ? .resolveOfferNotRouted : .resolveUnknownReference,
                known
                    ? "owner '\(owner.name)' offers model '\(model)', which the LiteLLM on '\(gateway.name)' does not route; it routes \(routed.isEmpty ? "no model" : routed.map { "'\($0.name)'" }.joined(separator: ", "))"
                    : "owner '\(owner.name)' offers unknown model '\(model)'; the LiteLLM on '\(gateway.name)' routes \(routed.isEmpty ? "no model" : routed.map { "'\($0.name)'" }.joined(separator: ", "))",
                at: offer.path / "models" / index,
                help:
                    "\(known ? "" : Suggestion.hint(for: model, in: routed.map(\.name)))offer a model the gateway routes (add it to owners.\(owner.name).models to route it), or drop it from the offer"
            )
        }
        guard !failed, let port = gateway.port(of: .litellm) else { return nil }
        let gatewayTailnet = gateway.tailnet ?? owner.tailnet
        switch offer.via {
        case .lan:
            let lans = gateway.addresses.filter { address in
                topology.link(named: address.link)?.kind == .lan && receivers.allSatisfy { $0.address(on: address.link) != nil }
            }
            guard let lan = lans.first else {
                bag.error(
                    .resolveNoSharedLink,
                    "owner '\(owner.name)' offers models to '\(other.name)' over a LAN, but '\(gateway.name)' and \(receivers.map { "'\($0.name)'" }.joined(separator: ", ")) share no LAN",
                    at: offer.path / "via",
                    help: "put both gateways on one LAN (links, kind: lan, and an address on it for each), or offer 'via: tailnet' with both on one tailnet")
                return nil
            }
            return OfferPlan(
                from: owner.name, to: other.name, gateway: gateway.name, receivers: receivers.map(\.name), servedNames: served, capabilities: capabilities,
                models: offer.models,
                via: .lan, lan: lan.link, apiBase: "http://\(lan.ip):\(port)/v1", port: port, key: offer.key, path: offer.path)
        case .tailnet:
            let outside = receivers.filter { ($0.tailnet ?? other.tailnet) != gatewayTailnet }
            guard outside.isEmpty else {
                bag.error(
                    .resolveNoSharedLink,
                    "owner '\(owner.name)' offers models to '\(other.name)' over the tailnet, but '\(gateway.name)' is on tailnet '\(gatewayTailnet)' and \(outside.map { "'\($0.name)' on '\($0.tailnet ?? other.tailnet)'" }.joined(separator: ", "))",
                    at: offer.path / "via",
                    help: "join the other gateway to tailnet '\(gatewayTailnet)' (nodes.<name>.tailnet), or offer 'via: lan' over a LAN both are on")
                return nil
            }
            return OfferPlan(
                from: owner.name, to: other.name, gateway: gateway.name, receivers: receivers.map(\.name), servedNames: served, capabilities: capabilities,
                models: offer.models,
                via: .tailnet, lan: nil, apiBase: "http://\(gateway.tailnetHostname):\(port)/v1", port: port, key: offer.key, path: offer.path)
        }
    }
}

extension OfferPlan {
    /// The firewall rules of an offering gateway: over a LAN, the LiteLLM port from each of the
    /// other owner's gateways' LAN addresses to the gateway's, and nothing else of the LAN (ufw's
    /// default denies the rest; the models' own ports admit their callers alone).
    public static func firewallRules(for node: NodePlan, in plan: Plan) -> [FirewallRuleSpec] {
        var rules: [FirewallRuleSpec] = []
        for offer in plan.offers where offer.gateway == node.name {
            guard let lan = offer.lan, let own = node.interface(on: lan) else { continue }
            for receiver in offer.receivers {
                guard let address = plan.node(named: receiver)?.interface(on: lan)?.address else { continue }
                rules.append(
                    FirewallRuleSpec(
                        .allow, on: own.device, from: address.description, to: own.address.description, port: offer.port, proto: "tcp",
                        comment: "litellm for \(receiver) (owner \(offer.to)) over \(own.link.phrase)"))
            }
        }
        return rules
    }

    /// Whether `node` is the gateway of an offer over a LAN: its LiteLLM then binds every address,
    /// so the other owner's gateway reaches it on the LAN while the owner's tailnet still does
    /// (a loopback bind reaches neither, a LAN-address bind loses the tailnet and the node's own
    /// 127.0.0.1). ufw admits the LAN to it from the other gateways alone (`firewallRules`), and
    /// the tailnet policy decides on tailscale0, as for every app that binds every address.
    static func bindsEveryAddress(_ node: Node, in topology: Topology) -> Bool {
        guard let owner = topology.owner(named: node.owner), owner.offers.contains(where: { $0.via == .lan }) else { return false }
        return topology.nodes.first { $0.owner == owner.name && $0.apps.contains(.litellm) }?.name == node.name
    }

    /// The other owners' gateways as vantages of the trust model: each from the LAN it calls the
    /// offering gateway over (a tailnet offer is the tailnet's tag, a vantage already).
    static func vantages(_ plan: Plan, gateway: String? = nil) -> [Vantage] {
        var vantages: [Vantage] = []
        for offer in plan.offers where gateway == nil || offer.gateway == gateway {
            guard let lan = offer.lan else { continue }
            for receiver in offer.receivers where !vantages.contains(.linkPeer(receiver, link: lan)) {
                vantages.append(.linkPeer(receiver, link: lan))
            }
        }
        return vantages
    }
}
