import SparkPlan
import SparkSpec

/// The runbook's steps that decide who reaches the node: joining the tailnet, the firewall, and
/// the secrets copied from other nodes (their own step, run where `spark-gen build` ran).
extension RunbookEmitter {
    /// Applies the tailnet's policy and brings the node up on it.
    func writeTailnet(_ plan: Plan, _ node: NodePlan, into book: inout RunbookWriter) {
        book.heading("Tailnet", kind: .tailnet)
        book.note(
            "`tailnets/\(node.tailnet.name)/policy.hujson` is the tailnet's whole policy: applying it replaces the current one. "
                + "Check that it keeps every device you need (its header says how), apply it, then:")
        book.commands([RunbookCommand("sudo \(Layout.stackPath(node, "scripts/tailscale-up.sh"))")])
        book.reads([Layout.stackPath(node, "scripts/tailscale-up.sh")])
        if let address = node.tailnetIP?.description, !TailscaleEmitter.addressCheck(node).isEmpty {
            book.note(
                "A service here binds this node's tailnet address \(address) (`tailnet_ip`), but Tailscale gives a new machine a random "
                    + "100.x address: the script stops when `tailscale ip -4` is another one. Then, in the admin console, Machines → "
                    + "\(node.tailnetHostname) → Edit machine IPv4, set \(address), and run the script again.")
        }
        for note in ShareRunbookNote.notes(for: node, in: plan) { book.note(note) }
    }

    /// Turns the firewall on, saying from where ssh still comes in.
    func writeFirewall(_ node: NodePlan, into book: inout RunbookWriter) {
        let user = node.user
        book.heading(Self.firewallStep, kind: .firewall)
        book.commands([RunbookCommand("sudo \(Layout.stackPath(node, "scripts/firewall.sh"))")])
        book.reads([Layout.stackPath(node, "scripts/firewall.sh")])
        if let lan = node.lan {
            book.note("ssh from \(lan.link.phrase) stays allowed, so running this over ssh from there is safe.")
        } else if node.tailnet.ssh {
            book.note(
                "This node is on no LAN the topology names: once this runs, ssh comes in only over tailnet "
                    + "\(node.tailnet.name) (`ssh \(user)@\(node.tailnetHostname)`) or at the console. Run it from one of "
                    + "those, not from an ssh session over another network, which it cuts. Before the node has joined the tailnet the "
                    + "script refuses to run and changes nothing.")
        } else {
            book.note(
                "This node is on no LAN the topology names and tailnet \(node.tailnet.name) grants no ssh: once this runs, "
                    + "only the console reaches it. Run it at the console.")
        }
    }

    /// Copies secrets made on other nodes (`offered`: the keys other owners' gateways offer);
    /// `parts` are the step's content.
    func writeSecretCopies(_ plan: Plan, _ node: NodePlan, parts: [RunbookPart], offered: Bool, into book: inout RunbookWriter) {
        book.heading(offered ? SecretHandover.offeredStepTitle : SecretHandover.stepTitle, kind: offered ? .offeredKeys : .secretCopies)
        book.add(parts)
        for copy in SecretHandover(plan: plan, node: node, offered: offered).copies {
            book.creates([copy.file.path])
            book.fetches(node: copy.source.name, path: copy.sourcePath)
        }
    }
}
