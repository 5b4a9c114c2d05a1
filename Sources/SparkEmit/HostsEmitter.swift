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
            return Artifact(path: Layout.stackFile(node, Self.fileName), contents: text)
        }
    }
}
