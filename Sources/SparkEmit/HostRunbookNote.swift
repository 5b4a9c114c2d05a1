import SparkPlan

/// The README's section on the hosts that serve backends: which folder holds each one's runbook,
/// and where its steps fall among the nodes' passes (the token before the gateway's secrets step,
/// the tailnet join after a node applies the policy, everything before the gateway's verify.sh).
enum HostRunbookNote {
    static func section(_ plan: Plan) -> String {
        let hosts = BackendHostEmitter.hosts(plan)
        guard !hosts.isEmpty else { return "" }
        var text = "\n## Hosts serving backends\n\n"
        text += "spark-gen routes to these servers but does not deploy them; each host's runbook says what to set up there.\n\n"
        for (host, backends) in hosts {
            let keyed = backends.contains { $0.apiKey != nil }
            text += "- \(host) (\(backends.map(\.name).joined(separator: ", "))): `\(BackendHostEmitter.path(plan, host: host))`. "
            if keyed { text += "Its token step comes before the first pass (each gateway's secrets step asks for the token); " }
            text += "\(keyed ? "the" : "The") other steps after the first pass (a node's 'Tailnet' step applies the policy that owns its tag) "
            text += "and before the third, whose 'Verify' sends it a completion.\n"
        }
        return text
    }
}
