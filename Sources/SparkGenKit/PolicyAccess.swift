import SparkPlan

/// Who each tailnet policy lets open which ports on whom, over every identity either version of
/// the topology names: the users and tags spark-gen models, and also people outside the
/// topology, groups (by their members), autogroups, hosts' tags and addresses. The listener
/// model (`Reachability`) stands in the position of the tailnet's first user and its own tag
/// only, so a grant to anyone else changes no listener cell; this compares the policies.
///
/// Semantics it rests on (Tailscale's documentation):
/// - Grants only allow, and every grant that matches a connection adds to it; a selector list
///   is the union of what each selector matches ("Grants syntax", tailscale.com/kb/1538;
///   "Grants explained", tailscale.com/docs/features/access-control/grants/grants-explained).
///   So the access of a (source, destination) pair is the union of the ports of the grants
///   whose `src` covers the source and whose `dst` covers the destination.
/// - `*` as a source is "all traffic originating from Tailscale devices in your tailnet, any
///   approved subnets and autogroup:shared" ("ACL syntax", tailscale.com/kb/1337, src);
///   as a destination it covers every device; `autogroup:member` covers its members' own
///   devices, never tagged devices; `autogroup:tagged` covers tagged devices;
///   `autogroup:shared` covers users of other tailnets a device was shared with, who are not
///   members; `autogroup:danger-all` covers every address, outside the tailnet included;
///   `autogroup:internet` is reached through exit nodes only ("Targets and selectors",
///   tailscale.com/kb/1396/targets; "Sharing", tailscale.com/kb/1084/sharing).
/// - The role autogroups (`autogroup:admin`, `autogroup:owner`, …) are members.
///
/// A user the tailnet's `users` or tag owners do not name is not assumed to be a member: a
/// stranger's reach then shows in full, rather than being hidden behind an
/// `autogroup:member` grant the stranger may not be covered by.
public struct PolicyAccess {
    /// What one source may open on one destination in one tailnet's policy.
    public struct Reach: Hashable, Comparable, Sendable {
        public let tailnet: String
        public let source: String
        public let destination: String
        /// The TCP ports; nil means every port and protocol (a grant with `ip: ["*"]`; `"*"` in json).
        public let ports: [Int]?
        /// With every port lost: the ports the other version still allows.
        public let except: [Int]
        /// What listens there, when the destination is a tag spark-gen deploys or routes to:
        /// the nodes or hosts carrying it, and the services by port.
        public let carriers: [String]
        public let services: [Int: String]

        public var portsText: String {
            func label(_ list: [Int]) -> String {
                list.map { port in services[port].map { "\(port) \($0)" } ?? "\(port)" }.joined(separator: ", ")
            }
            guard let ports else { return except.isEmpty ? "every port" : "every port except \(label(except))" }
            return label(ports)
        }

        public var text: String {
            let on = carriers.isEmpty ? destination : "\(destination) (\(carriers.joined(separator: ", ")))"
            return "\(tailnet): \(source) → \(on): \(portsText)"
        }

        public static func < (lhs: Reach, rhs: Reach) -> Bool {
            (lhs.tailnet, lhs.source, lhs.destination) < (rhs.tailnet, rhs.source, rhs.destination)
        }
    }

    /// What a grant set allows one pair: nothing, some TCP ports, or every port and protocol.
    enum Access: Equatable {
        case none
        case ports(Set<Int>)
        case all

        /// What `self` allows that `other` does not.
        func subtracting(_ other: Access) -> Access {
            switch (self, other) {
            case (.none, _), (_, .all): return .none
            case (_, .none): return self
            case (.all, .ports): return .all
            case (.ports(let mine), .ports(let theirs)):
                let rest = mine.subtracting(theirs)
                return rest.isEmpty ? .none : .ports(rest)
            }
        }

        func adding(_ ports: [Int]?) -> Access {
            guard let ports else { return .all }
            switch self {
            case .none: return .ports(Set(ports))
            case .ports(let known): return .ports(known.union(ports))
            case .all: return .all
            }
        }
    }

    public let gained: [Reach]
    public let lost: [Reach]

    public init(base: Plan, head: Plan) {
        var gained: [Reach] = [], lost: [Reach] = []
        let names = Set(base.tailnets.map(\.name)).union(head.tailnets.map(\.name)).sorted()
        for name in names {
            let old = base.tailnet(named: name), new = head.tailnet(named: name)
            let sources = Self.sources(old).union(Self.sources(new)).sorted()
            let destinations = Self.destinations(old).union(Self.destinations(new)).sorted()
            for source in sources {
                for destination in destinations {
                    let before = Self.access(old, source, destination), after = Self.access(new, source, destination)
                    let more = after.subtracting(before), fewer = before.subtracting(after)
                    if more != .none { gained.append(Self.reach(name, source, destination, more, in: head)) }
                    // Every port lost but some kept: say which stay.
                    let kept: [Int] = { if case .ports(let set) = after { return set.sorted() } else { return [] } }()
                    if fewer != .none { lost.append(Self.reach(name, source, destination, fewer, except: kept, in: base)) }
                }
            }
        }
        self.gained = gained.sorted()
        self.lost = lost.sorted()
    }

    /// What `source` may open on `destination` under the tailnet's policy.
    static func access(_ tailnet: TailnetPlan?, _ source: String, _ destination: String) -> Access {
        guard let tailnet else { return .none }
        let policy = tailnet.policy
        let members = Self.members(tailnet)
        var result = Access.none
        for grant in policy.grants
        where grant.sources.contains(where: { covers($0, source, policy: policy, members: members) })
            && grant.destinations.contains(where: { covers($0, destination, policy: policy, members: members) })
        {
            result = result.adding(grant.ports)
        }
        return result
    }

    static let roleAutogroups: Set<String> = [
        "autogroup:admin", "autogroup:owner", "autogroup:it-admin", "autogroup:network-admin",
        "autogroup:billing-admin", "autogroup:auditor", "autogroup:member",
    ]

    /// Whether a policy selector covers an identity (which may itself be an autogroup, standing
    /// for the devices it covers that no other identity names).
    static func covers(_ selector: String, _ identity: String, policy: TailnetPolicy, members: Set<String>) -> Bool {
        if selector == identity || selector == "autogroup:danger-all" { return true }
        if selector == "*" { return identity != "autogroup:internet" && identity != "autogroup:danger-all" }
        let isTag = identity.hasPrefix("tag:")
        switch selector {
        case "autogroup:member": return roleAutogroups.contains(identity) || members.contains(identity)
        case "autogroup:tagged": return isTag
        default: break
        }
        if selector.hasPrefix("group:") {
            return policy.groups.contains { $0.name == selector && $0.members.contains(identity) }
        }
        return false
    }

    /// Users known to be members: the tailnet's users, and users who own its tags.
    static func members(_ tailnet: TailnetPlan) -> Set<String> {
        Set(tailnet.users + tailnet.policy.tagOwners.flatMap(\.owners).filter(isUser))
    }

    static func isUser(_ selector: String) -> Bool { selector.contains("@") && !selector.contains(":") }

    /// Identities named in a selector list, groups replaced by their members.
    static func named(_ selectors: [String], policy: TailnetPolicy) -> Set<String> {
        var names = Set<String>()
        for selector in selectors {
            if selector.hasPrefix("group:") {
                names.formUnion(policy.groups.first { $0.name == selector }?.members ?? [])
            } else if selector != "*" {
                names.insert(selector)
            }
        }
        return names
    }

    /// Every identity that could open a connection: whatever any grant's source names, the
    /// tailnet's users and tags, and the autogroups no name covers (an unnamed member, a user
    /// the device was shared with, an unnamed tagged device).
    static func sources(_ tailnet: TailnetPlan?) -> Set<String> {
        guard let tailnet else { return [] }
        var names: Set<String> = ["autogroup:member", "autogroup:shared", "autogroup:tagged", tailnet.tag]
        names.formUnion(tailnet.users)
        names.formUnion(tailnet.policy.groups.flatMap(\.members))
        names.formUnion(tailnet.policy.tagOwners.map(\.tag))
        for grant in tailnet.policy.grants { names.formUnion(named(grant.sources, policy: tailnet.policy)) }
        return names
    }

    /// Every identity that could be connected to: whatever any grant's destination names, the
    /// tailnet's users and tags, and an unnamed member's devices.
    static func destinations(_ tailnet: TailnetPlan?) -> Set<String> {
        guard let tailnet else { return [] }
        var names: Set<String> = ["autogroup:member", tailnet.tag]
        names.formUnion(tailnet.users)
        names.formUnion(tailnet.policy.groups.flatMap(\.members))
        names.formUnion(tailnet.policy.tagOwners.map(\.tag))
        for grant in tailnet.policy.grants { names.formUnion(named(grant.destinations, policy: tailnet.policy)) }
        return names
    }

    static func reach(_ tailnet: String, _ source: String, _ destination: String, _ access: Access, except: [Int] = [], in plan: Plan) -> Reach {
        var carriers: [String] = [], services: [Int: String] = [:]
        if destination.hasPrefix("tag:") {
            for node in plan.nodes where node.tailnet.name == tailnet && node.tailnet.tag == destination {
                carriers.append(node.name)
                for service in Reachability.listeners(of: node) where services[service.port] == nil {
                    services[service.port] = service.name
                }
            }
            for backend in plan.backends where backend.tailnet == tailnet && backend.tag == destination {
                if !carriers.contains(backend.host) { carriers.append(backend.host) }
                if services[backend.port] == nil { services[backend.port] = "backend \(backend.name)" }
            }
        }
        return Reach(
            tailnet: tailnet, source: source, destination: destination,
            ports: { if case .ports(let set) = access { return set.sorted() } else { return nil } }(), except: except,
            carriers: carriers.sorted(), services: services)
    }
}
