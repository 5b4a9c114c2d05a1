import SparkDiagnostics
import SparkSpec

/// ST010: each owner has a tailnet, and users, of their own.
struct SeparateTailnetsRule: Rule {
    let description = RuleDescription(
        id: "ST010",
        title: "owners do not share a tailnet or its users",
        rationale: """
            Split trust is checked node by node elsewhere; this rule checks it owner by owner. Two owners \
            whose nodes join one tailnet get one policy: its users reach both owners' apps, and each \
            owner's tailnet admins manage the other's nodes. A user listed in the tailnets of two owners \
            reaches both owners' LiteLLM, chats and workflows. Either is possible on purpose, as a \
            decision both owners record.
            """,
        help: "give each owner a tailnet of their own and list each person under one owner's tailnet, or record the agreement with accept_risks",
        triggering: [
            RuleExample(replacing: "    tailnet: client-net\n    master_key", with: "    tailnet: ↓you-net\n    master_key"),
            RuleExample(replacing: "    users: [client@example.com]\n", with: "    users: [client@example.com, ↓you@example.com]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        let topology = context.topology
        var findings: [RuleFinding] = []
        for (index, owner) in topology.owners.enumerated() {
            for earlier in topology.owners[..<index] where earlier.tailnet == owner.tailnet {
                findings.append(RuleFinding(
                    "owners '\(earlier.name)' and '\(owner.name)' both use tailnet '\(owner.tailnet)': its users reach the apps of both",
                    at: owner.path / "tailnet"))
            }
        }
        // The owners whose nodes a tailnet's users reach.
        func owners(of tailnet: Tailnet) -> Set<String> { Set(topology.owners.filter { $0.tailnet == tailnet.name }.map(\.name)) }
        for (index, tailnet) in topology.tailnets.enumerated() {
            for earlier in topology.tailnets[..<index] {
                let mine = owners(of: tailnet), theirs = owners(of: earlier)
                guard !mine.isEmpty, !theirs.isEmpty, mine != theirs else { continue }
                for (userIndex, user) in tailnet.users.enumerated() where earlier.users.contains(user) {
                    findings.append(RuleFinding(
                        "user '\(user)' is listed in tailnet '\(earlier.name)' (owner \(theirs.sorted().joined(separator: ", "))) and in tailnet '\(tailnet.name)' (owner \(mine.sorted().joined(separator: ", "))): they reach the apps of both owners",
                        at: tailnet.path / "users" / userIndex))
                }
            }
        }
        return findings
    }
}
