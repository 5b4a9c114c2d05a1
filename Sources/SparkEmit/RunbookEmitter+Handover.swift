import SparkPlan
import SparkSpec

/// The runbook's hand-over step: the owner takes the node over with a fresh master key and only
/// their own ssh keys, and password logins are turned off.
extension RunbookEmitter {
    /// Hands the node to its owner and locks ssh down.
    func writeHandToOwner(_ plan: Plan, _ node: NodePlan, into book: inout RunbookWriter) {
        let user = node.user
        let home = node.home
        book.heading("Hand the node to its owner and lock ssh down", kind: .handover)
        book.note("When someone other than \(node.owner.name) set this node up, \(node.owner.name) takes it over with fresh secrets:")
        // The gateway's master key is made anew: whoever set the node up has seen it.
        let rotation = GatewayStep(plan: plan, node: node, recipes: SecretRecipe(node: node, plan: plan))?.rotation ?? []
        book.commands(
            rotation + [RunbookCommand("ssh-keygen -lf \(home)/.ssh/authorized_keys   # delete the lines of keys that are not \(node.owner.name)'s")])
        let gated = SSHGate.gates(in: plan, on: node).map(\.holder)
        if !gated.isEmpty {
            book.note("Keep the lines that end in \(gated.map { "`spark-gen:\($0)`" }.joined(separator: " and ")): the gated keys of the catalog step.")
        }
        book.note("Once \(node.owner.name)'s own key logs in (test it from a second terminal), turn password logins off:")
        // sshd keeps the first value it reads for a keyword and reads sshd_config.d in name order,
        // so a file after cloud-init's 50-cloud-init.conf (PasswordAuthentication yes) changes nothing.
        book.commands([
            RunbookCommand(
                "sudo tee /etc/ssh/sshd_config.d/00-spark-gen.conf >/dev/null <<'EOF'\n"
                    + "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\nAllowUsers \(user)\nEOF"),
            RunbookCommand("sudo sshd -t && sudo systemctl reload ssh"),
            .check("sudo sshd -T | grep -Ex 'passwordauthentication no|kbdinteractiveauthentication no|permitrootlogin no'   # all three lines"),
        ])
        book.note(
            "sshd keeps the first value it reads and reads `sshd_config.d` in name order, so the file is named to come first: "
                + "a later one could not override cloud-init's `50-cloud-init.conf`, which may say `PasswordAuthentication yes`. "
                + "If `sshd -T` prints fewer than three lines, an earlier file still sets them.")
        let sshFrom = node.lans.map(\.link.phrase) + (node.tailnet.ssh ? ["tailnet \(node.tailnet.name)"] : [])
        let never = node.clusterInterfaces.isEmpty ? "" : ", never over " + node.clusterInterfaces.map(\.link.phrase).joined(separator: " or ")
        book.note(
            sshFrom.isEmpty
                ? "The firewall admits ssh from nowhere: only the console reaches this node."
                : "The firewall already admits ssh only from \(sshFrom.joined(separator: " and "))\(never).")
    }
}
