import SparkDiagnostics
import SparkPlan

/// The topology entries behind each ufw rule of a node: the topology's own rule, or for a
/// generated one the listener it opens, the peer or host it admits and the link it is on.
///
/// Derived from the rule's fields rather than carried by the planner, so the plan's types
/// stay as they are; a rule nothing matches falls back to its node.
struct FirewallOrigins {
    let plan: Plan
    let node: NodePlan

    /// One list of paths per rule of `FirewallPlanner.rules(for:in:)`, in its order.
    func paths(of rules: [FirewallRuleSpec]) -> [[SpecPath]] {
        let generated = rules.count - node.firewall.count
        return rules.enumerated().map { index, rule in
            index >= generated ? [node.firewall[index - generated].path] : derived(rule)
        }
    }

    private func derived(_ rule: FirewallRuleSpec) -> [SpecPath] {
        var paths: [SpecPath] = []
        func add(_ path: SpecPath) { if !paths.contains(path) { paths.append(path) } }
        if let port = rule.port {
            for service in node.services where service.port == port && service.path != .root { add(service.path) }
        }
        if let source = rule.source {
            for other in plan.nodes where other.name != node.name {
                for interface in other.interfaces where interface.address.description == source { add(interface.path) }
            }
            for host in plan.hosts where host.interfaces.contains(where: { $0.address.description == source }) { add(host.path) }
            for link in plan.links where link.subnet.description == source { add(link.path) }
        }
        if let destination = rule.destination {
            for interface in node.interfaces where interface.address.description == destination { add(interface.path) }
        }
        if let device = rule.interface {
            if device == FirewallPlanner.tailscaleInterface {
                add(node.tailnet.path)
            } else {
                for interface in node.interfaces where interface.device == device {
                    add(interface.path)
                    add(interface.link.path)
                }
            }
        }
        return paths.isEmpty ? [node.path] : paths
    }
}
