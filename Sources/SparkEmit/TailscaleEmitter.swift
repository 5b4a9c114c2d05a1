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
            let header = Header(
                plan,
                about: [
                    "Tailscale policy of tailnet \(tailnet.name) (HuJSON). This is the WHOLE policy: it replaces",
                    "the tailnet's current one, and every device and grant it does not name loses access.",
                    "Keep other devices in the topology (tailnets.\(tailnet.name): keep_members_open, keep_open_tags,",
                    "grants with dst) rather than editing this file. Apply it in the admin console or with the",
                    "GitOps action; Tailscale runs the tests block on every save and refuses a policy that fails it.",
                ])
            let body = try JanssonEncoder.encode(policy(plan, tailnet))
            return Artifact(path: "tailnets/\(tailnet.name)/policy.hujson", contents: header.comment("//") + body)
                .marked { marks in PolicyOrigins(plan: plan, tailnet: tailnet).mark(&marks) }
        }
        artifacts += plan.nodes.map { node in
            Artifact(path: Layout.stackFile(node, "scripts/tailscale-up.sh"), contents: upScript(plan, node), mode: .executable)
                .marked { marks in
                    marks.block("tailscale up", [node.tailnet.path])
                    for service in node.services where service.isTailnetFacing && service.isLoopbackOnly {
                        marks.line("tailscale serve --bg --tcp \(service.port) ", [service.path])
                    }
                }
        }
        return artifacts
    }

    func policy(_ plan: Plan, _ tailnet: TailnetPlan) -> JSONValue {
        let policy = tailnet.policy
        func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
        let grants: [JSONValue] = policy.grants.map { grant in
            .object([
                ("src", strings(grant.sources)),
                ("dst", strings(grant.destinations)),
                ("ip", grant.ports.map { ports in strings(ports.map { "tcp:\($0)" }) } ?? strings(["*"])),
            ])
        }
        let tests: [JSONValue] = policy.tests.map { test in
            var fields: [(String, JSONValue)] = [("src", .string(test.source))]
            if !test.accept.isEmpty { fields.append(("accept", strings(test.accept))) }
            if !test.deny.isEmpty { fields.append(("deny", strings(test.deny))) }
            return .object(fields)
        }
        return .object([
            ("tagOwners", .object(policy.tagOwners.map { ($0.tag, strings($0.owners)) })),
            ("groups", .object(policy.groups.map { ($0.name, strings($0.members)) })),
            ("grants", .array(grants)),
            ("tests", .array(tests)),
        ])
    }

    /// Where a service binds the node's `tailnet_ip`, a check that Tailscale gave the node that
    /// address: a fresh node gets a random 100.x one, and the service would then fail to bind.
    /// An admin sets it in the console (tailscale.com/kb/1033: "Admins can change the IP address
    /// later"; the IP pool, tailscale.com/blog/choose-your-ip). Empty where nothing binds it.
    static func addressCheck(_ node: NodePlan) -> String {
        guard let address = node.tailnetIP?.description else { return "" }
        let binders = node.services.filter { $0.bindAddress == address }.map(\.name)
        guard !binders.isEmpty else { return "" }
        let names = binders.joined(separator: ", ")
        var text = "\n# \(names) bind\(binders.count == 1 ? "s" : "") \(address) (tailnet_ip): Tailscale must give this machine that address.\n"
        text += "actual=\"$(tailscale ip -4 2>/dev/null | head -n 1 || true)\"\n"
        text += "if [ \"$actual\" != \(address) ]; then\n"
        text +=
            "  echo \"this machine's tailnet address is ${actual:-none},\" \(Shell.quote("but \(names) bind\(binders.count == 1 ? "s" : "") \(address) (tailnet_ip of \(node.name)).")) >&2\n"
        text +=
            "  echo \(Shell.quote("In the admin console: Machines -> \(node.tailnetHostname) -> Edit machine IPv4 -> \(address), then run this script again.")) >&2\n"
        text += "  echo \(Shell.quote("(Or write that machine's address as nodes.\(node.name).tailnet_ip in the topology and build again.)")) >&2\n"
        text += "  exit 1\nfi\n"
        return text
    }

    private func upScript(_ plan: Plan, _ node: NodePlan) -> String {
        let header = Header(
            plan, node: node.name,
            about: [
                "Joins tailnet \(node.tailnet.name) and exposes the loopback-only apps on it with 'tailscale serve';",
                "the tailnet policy decides who reaches them. Extra arguments go to 'tailscale up'; give an auth key",
                "as a file (--auth-key=file:/root/tailscale-authkey, mode 0600), never as text: a command line shows in ps.",
            ])
        var script =
            node.clusterInterfaces.isEmpty
            ? "# --reset drops settings from earlier runs; --advertise-routes= advertises no subnet.\n"
            : "# --reset drops settings from earlier runs; --advertise-routes= keeps the DAC subnet off the tailnet.\n"
        script += Shell.continued(
            "tailscale up",
            [
                "--reset",
                "--hostname=\(Shell.quote(node.tailnetHostname))",
                "--advertise-tags=\(Shell.quote((plan.tailnet(named: node.tailnet.name)?.tags(of: node.name) ?? [node.tailnet.tag]).joined(separator: ",")))",
                "--advertise-routes=\(node.advertiseRoutes.map(\.description).joined(separator: ","))",
                "\"$@\"",
            ])
        script += Self.addressCheck(node)
        script += "\ntailscale serve reset\n"
        // `tailscale serve` forwards only to loopback; an app bound elsewhere is reached directly.
        for service in node.services where service.isTailnetFacing && service.isLoopbackOnly {
            script += "tailscale serve --bg --tcp \(service.port) tcp://\(service.bindAddress):\(service.port)\n"
        }
        script += "tailscale serve status\n"
        return ShellScript(header: header, rootExitStatus: 1, body: script).text
    }
}
