import SparkPlan

/// The `/etc/hosts` block of each node on a LAN: its name and its link peers' on their LAN addresses.
///
/// Without it a node's name may resolve to its DAC address, where sshd does not listen, and ssh
/// or rsync by name hangs or is refused.
struct HostsEmitter {
    static let fileName = "hosts.spark-gen"

    func artifacts(for plan: Plan) -> [Artifact] {
        plan.nodes.filter { !$0.hostsEntries.isEmpty }.map { node in
            let marker = "spark-gen \(plan.stackName)"
            var text = "# BEGIN \(marker)\n"
            text += Header(plan, node: node.name, about: ["Merge into /etc/hosts with the command in RUNBOOK.md."]).comment()
            for entry in node.hostsEntries {
                text += "\(entry.ip) \(entry.name)\n"
            }
            text += "# END \(marker)\n"
            return Artifact(path: Layout.stackFile(node, Self.fileName), contents: text).marked { marks in
                for entry in node.hostsEntries {
                    // The address as the named node's entry writes it, else the node or host itself.
                    let named = plan.node(named: entry.name)
                    let address = named?.interfaces.first { $0.address.description == entry.ip }?.path
                    marks.line("\(entry.ip) \(entry.name)", [address ?? named?.path ?? plan.host(named: entry.name)?.path ?? node.path])
                }
            }
        }
    }
}
