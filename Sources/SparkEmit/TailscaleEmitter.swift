import SparkJSON
import SparkPlan

/// The policy file of each tailnet and each node's `scripts/tailscale-up.sh`.
///
/// The policy uses `grants` (the `acls` form is legacy), always has an explicit grants array
/// (a policy with neither allows everything), declares every tag it names in `tagOwners`, and
/// carries `tests` that Tailscale runs on every save: the app ports are accepted for the
/// tailnet's users, and the model, Ray and database ports are denied.
struct TailscaleEmitter {
    func artifacts(for plan: Plan) throws -> [Artifact] {
        var artifacts = try plan.tailnets.map { tailnet in
            let header = Header(plan, about: [
                "Tailscale policy of tailnet \(tailnet.tailnet.name) (HuJSON). Paste it into the admin console",
                "or apply it with the GitOps action; Tailscale runs the tests block on every save.",
            ])
            let body = try JanssonEncoder.encode(policy(plan, tailnet))
            return Artifact(path: "tailnets/\(tailnet.tailnet.name)/policy.hujson", contents: header.comment("//") + body)
        }
        artifacts += plan.nodes.map { node in
            Artifact(path: Layout.stackFile(node, "scripts/tailscale-up.sh"), contents: upScript(plan, node), mode: .executable)
        }
        return artifacts
    }

    func usersGroup(_ tailnet: TailnetPlan) -> String {
        "group:\(tailnet.tailnet.tag.dropFirst("tag:".count))-users"
    }

    /// Ports that must never be reachable from the tailnet on its tagged nodes.
    func deniedPorts(_ plan: Plan, _ tailnet: TailnetPlan) -> [Int] {
        var denied = Set(tailnet.nodes.flatMap { $0.services.filter { !$0.isTailnetFacing }.map(\.port) })
        for cluster in plan.clusters {
            denied.insert(cluster.model.port)
            if cluster.isMultiNode { denied.insert(cluster.model.cluster.rayPort) }
        }
        if !tailnet.tailnet.ssh { denied.insert(22) }
        return denied.subtracting(tailnet.grantedPorts).sorted()
    }

    func policy(_ plan: Plan, _ tailnet: TailnetPlan) -> JSONValue {
        let net = tailnet.tailnet
        let admins = JSONValue.array(net.admins.map { .string($0) })
        var tagOwners: [(String, JSONValue)] = [(net.tag, admins)]
        for tag in net.keepOpenTags where tag != net.tag {
            tagOwners.append((tag, admins))
        }
        let group = usersGroup(tailnet)
        var grants: [JSONValue] = []
        if net.keepMembersOpen {
            grants.append(.object([("src", .array(["*"])), ("dst", .array(["autogroup:member"])), ("ip", .array(["*"]))]))
        }
        for tag in net.keepOpenTags {
            grants.append(.object([("src", .array(["*"])), ("dst", .array([.string(tag)])), ("ip", .array(["*"]))]))
        }
        let granted = tailnet.grantedPorts
        if !granted.isEmpty {
            grants.append(.object([
                ("src", .array([.string(group)])),
                ("dst", .array([.string(net.tag)])),
                ("ip", .array(granted.map { .string("tcp:\($0)") })),
            ]))
        }
        for grant in net.grants {
            grants.append(.object([
                ("src", .array(grant.sources.map { .string($0) })),
                ("dst", .array([.string(net.tag)])),
                ("ip", .array(grant.ports.map { .string("tcp:\($0)") })),
            ]))
        }
        var test: [(String, JSONValue)] = [("src", .string(net.users[0]))]
        if !granted.isEmpty { test.append(("accept", .array(granted.map { .string("\(net.tag):\($0)") }))) }
        test.append(("deny", .array(deniedPorts(plan, tailnet).map { .string("\(net.tag):\($0)") })))
        return .object([
            ("tagOwners", .object(tagOwners)),
            ("groups", .object([(group, .array(net.users.map { .string($0) }))])),
            ("grants", .array(grants)),
            ("tests", .array([.object(test)])),
        ])
    }

    private func upScript(_ plan: Plan, _ node: NodePlan) -> String {
        let header = Header(plan, node: node.name, about: [
            "Joins tailnet \(node.tailnet.name) and exposes the loopback-only apps on it with 'tailscale serve';",
            "the tailnet policy decides who reaches them. Extra arguments go to 'tailscale up' (e.g. --auth-key=…).",
        ])
        var script = "#!/usr/bin/env bash\n" + header.comment() + "set -euo pipefail\n\n"
        script += "if [ \"$(id -u)\" -ne 0 ]; then\n  echo \"run as root: sudo $0\" >&2\n  exit 1\nfi\n\n"
        script += "# --reset drops settings from earlier runs; --advertise-routes= keeps the DAC subnet off the tailnet.\n"
        script += Shell.continued("tailscale up", [
            "--reset",
            "--hostname=\(Shell.quote(node.node.tailnetHostname))",
            "--advertise-tags=\(Shell.quote(node.tailnet.tag))",
            "--advertise-routes=\(node.node.advertiseRoutes.map(\.description).joined(separator: ","))",
            "\"$@\"",
        ])
        script += "\ntailscale serve reset\n"
        // `tailscale serve` forwards only to loopback; an app bound elsewhere is reached directly.
        for service in node.services where service.isTailnetFacing && service.isLoopbackOnly {
            script += "tailscale serve --bg --tcp \(service.port) tcp://\(service.bindAddress):\(service.port)\n"
        }
        script += "tailscale serve status\n"
        return script
    }
}
