import SparkPlan
import SparkSpec

/// The runbook's hand-over step: the owner takes the node over with a fresh master key and only
/// their own ssh keys, and password logins are turned off.
extension RunbookEmitter {
    /// Hands the node to its owner and locks ssh down.
    func writeHandToOwner(_ plan: Plan, _ node: NodePlan, into book: inout RunbookWriter) {
        let user = node.user
        let home = node.home
        let compose = Layout.stackPath(node, ComposeEmitter.fileName)
        book.heading("Hand the node to its owner and lock ssh down")
        book.text += "When someone other than \(node.owner.name) set this node up, \(node.owner.name) takes it over with fresh secrets:\n\n```sh\n"
        if let litellm = node.litellm, let master = node.secretFile(defining: litellm.masterKey.variable) {
            let variable = litellm.masterKey.variable
            if master.variables == [variable] {
                book.text += "\(master.group == nil ? "" : "sudo ")rm \(master.path)   # then run the secrets step again for this file\n"
            } else {
                // The file holds more (the salt key, which must never change: LiteLLM could no longer
                // read what it encrypted): only the master key's line is made anew.
                let write = master.group.map { "sudo install -m \(master.mode) -o root -g \($0) \"$tmp\" \(master.path)" } ?? "cat \"$tmp\" > \(master.path)"
                book.text += "( umask 077; tmp=$(mktemp); trap 'rm -f \"$tmp\"' EXIT   # a new \(variable); the file's other values stay\n"
                book.text += "  { grep -v '^\(variable)=' \(master.path); printf '\(variable)=sk-%s\\n' \"$(openssl rand -hex 24)\"; } > \"$tmp\"\n"
                book.text += "  \(write) )\n"
            }
            if let container = litellm.container {
                // A restart keeps the environment the container was created with.
                book.text += "docker compose -f \(compose) up -d --force-recreate \(container)\n"
            } else {
                book.text += "sudo systemctl restart litellm\n"
            }
        }
        book.text += "ssh-keygen -lf \(home)/.ssh/authorized_keys   # delete the lines of keys that are not \(node.owner.name)'s\n```\n\n"
        let gated = SSHGate.gates(in: plan, on: node).map(\.holder)
        if !gated.isEmpty {
            book.text += "Keep the lines that end in \(gated.map { "`spark-gen:\($0)`" }.joined(separator: " and ")): the gated keys of the catalog step.\n\n"
        }
        book.text += "Once \(node.owner.name)'s own key logs in (test it from a second terminal), turn password logins off:\n\n```sh\n"
        // sshd keeps the first value it reads for a keyword and reads sshd_config.d in name order,
        // so a file after cloud-init's 50-cloud-init.conf (PasswordAuthentication yes) changes nothing.
        book.text += "sudo tee /etc/ssh/sshd_config.d/00-spark-gen.conf >/dev/null <<'EOF'\n"
        book.text += "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\nAllowUsers \(user)\nEOF\n"
        book.text += "sudo sshd -t && sudo systemctl reload ssh\n"
        book.text += "sudo sshd -T | grep -Ex 'passwordauthentication no|kbdinteractiveauthentication no|permitrootlogin no'   # all three lines\n```\n\n"
        book.text += "sshd keeps the first value it reads and reads `sshd_config.d` in name order, so the file is named to come first: "
        book.text += "a later one could not override cloud-init's `50-cloud-init.conf`, which may say `PasswordAuthentication yes`. "
        book.text += "If `sshd -T` prints fewer than three lines, an earlier file still sets them.\n\n"
        let sshFrom = node.lans.map(\.link.phrase) + (node.tailnet.ssh ? ["tailnet \(node.tailnet.name)"] : [])
        let never = node.clusterInterfaces.isEmpty ? "" : ", never over " + node.clusterInterfaces.map(\.link.phrase).joined(separator: " or ")
        book.text +=
            sshFrom.isEmpty
            ? "The firewall admits ssh from nowhere: only the console reaches this node.\n"
            : "The firewall already admits ssh only from \(sshFrom.joined(separator: " and "))\(never).\n"
    }
}
