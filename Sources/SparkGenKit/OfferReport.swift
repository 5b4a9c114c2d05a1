import SparkPlan
import SparkSpec

/// What one owner offers another through its gateway (`owners.<o>.offers`), in words: the path
/// the other owner's requests take, what that owner can call, and that the models' own ports
/// stay shut to it. Read by `spark-gen trust` and `spark-gen review`, from the same plan and
/// reachability the firewall and policies are written from.
struct OfferReport {
    let plan: Plan
    let matrix: Reachability

    init(plan: Plan, matrix: Reachability? = nil) {
        self.plan = plan
        self.matrix = matrix ?? (plan.offers.isEmpty ? Reachability.relevant(plan) : Reachability(plan))
    }

    /// Where the other owner's gateway stands when it calls the offering one.
    func vantage(of receiver: String, for offer: OfferPlan) -> Vantage {
        offer.lan.map { .linkPeer(receiver, link: $0) } ?? .tailnetTag
    }

    /// One line per offer and receiving gateway, each with what it reaches; empty without offers.
    func lines() -> [String] {
        let name = TrustReport.gateway
        var lines: [String] = []
        for offer in plan.offers {
            guard let gateway = plan.node(named: offer.gateway) else { continue }
            let models = offer.servedNames.map { "`\($0)`" }.joined(separator: ", ")
            let path = offer.lan.map { "over LAN \($0)" } ?? "over tailnet \(gateway.tailnet.name)"
            for receiver in offer.receivers {
                let from = vantage(of: receiver, for: offer)
                let gatewayReached = matrix.isReachable(gateway.name, port: offer.port, from: from)
                var line = "\(offer.from) → \(offer.to): \(receiver)'s \(name) calls \(models) through the \(name) on \(gateway.name) "
                line += "(\(offer.apiBase)) \(path), with key \(offer.keyAlias)@\(gateway.name), which \(name) refuses for any other model; "
                line += "\(receiver) \(gatewayReached ? "reaches" : "does NOT reach") \(App.litellm.rawValue) (\(offer.port)) on \(gateway.name)"
                // The offered models' own ports: the other owner must never reach them directly.
                var direct: [String] = []
                for name in offer.models {
                    guard let cluster = plan.clusters.first(where: { $0.name == name }) else { continue }
                    let reached = matrix.isReachable(cluster.head.name, port: cluster.port, from: from)
                    direct.append("\(cluster.runtime.kind.title) of \(name) on \(cluster.head.name) (\(cluster.port)): \(reached ? "REACHED" : "refused")")
                }
                if !direct.isEmpty { line += "; the model's own port: " + direct.joined(separator: ", ") }
                lines.append(line)
            }
        }
        return lines
    }

    /// The trust report's section, or nothing without offers.
    func section() -> String {
        let lines = lines()
        guard !lines.isEmpty else { return "" }
        return "\nWhat one owner offers another through its gateway\n" + lines.map { "  - \($0)\n" }.joined()
    }
}
