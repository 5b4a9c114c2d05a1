import SparkPlan
import SparkSpec

/// The runbook's verify step: verify.sh, then what a device on the tailnet, a named host on a
/// LAN and the partner tailnets should and should not reach.
extension RunbookEmitter {
    /// Checks the node from itself and from outside.
    func writeVerify(_ plan: Plan, _ node: NodePlan, into book: inout RunbookWriter) {
        book.heading("Verify", kind: .verify)
        book.commands([.check("sudo \(Layout.stackPath(node, "scripts/verify.sh"))")])
        book.reads([Layout.stackPath(node, "scripts/verify.sh")] + node.secretFiles.map(\.path))
        book.note("From a device on tailnet \(node.tailnet.name) (run `tailscale status` to find the address):")
        var fromTailnet: [RunbookProbe] = []
        for service in node.services where service.isTailnetFacing {
            fromTailnet.append(RunbookProbe("nc -zv \(node.tailnetHostname) \(service.port)", "succeeds (\(service.name))"))
        }
        for service in node.services where !service.isTailnetFacing {
            if case .tailnetPeers(let peers) = service.exposure {
                // Granted to the tailnet's tag for the nodes that call it, with its key.
                fromTailnet.append(
                    RunbookProbe(
                        "nc -zv -w 3 \(node.tailnetHostname) \(service.port)",
                        "fails from a user's device, and succeeds from \(peers.joined(separator: ", ")) (\(service.name), granted to \(node.tailnet.tag))"))
                continue
            }
            fromTailnet.append(RunbookProbe("nc -zv -w 3 \(node.tailnetHostname) \(service.port)", "fails (\(service.name))"))
        }
        book.probes(fromTailnet)
        // Listeners a named host reaches from a LAN: it gets an answer, the rest of the LAN does not.
        for service in node.services {
            guard case .hosts(let link, let names) = service.exposure, let own = node.interface(on: link) else { continue }
            let path = service.readinessPath ?? "/v1/models"
            book.probeSentence([
                RunbookProbe(
                    from: "host \(names.joined(separator: " or "))", "curl -fsS http://\(own.address):\(service.port)\(path)", "answers (\(service.name))"),
                RunbookProbe(from: "any other machine on \(own.link.phrase)", "nc -zv -w 3 \(own.address) \(service.port)", "fails"),
            ])
        }
        // The tailnets of the nodes this one works with: the ones a mistake would most likely open it to.
        var partnerTailnets: [String] = []
        for partner in node.linkPeers {
            guard let name = plan.node(named: partner.node)?.tailnet.name, name != node.tailnet.name, !partnerTailnets.contains(name) else { continue }
            partnerTailnets.append(name)
        }
        if !partnerTailnets.isEmpty {
            book.probes(partnerTailnets.map { RunbookProbe(nil, "from tailnet \($0), \(node.name) is not visible at all") }, continuing: true)
        }
    }
}
