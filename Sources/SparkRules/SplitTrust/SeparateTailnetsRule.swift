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
            RuleExample(.twoOwners, replacing: "    tailnet: client-net\n    master_key", with: "    tailnet: ↓you-net\n    master_key"),
            RuleExample(.twoOwners, replacing: "    users: [client@example.com]\n", with: "    users: [client@example.com, ↓you@example.com]\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        // One pass with indexes instead of comparing every pair: fleets have thousands of tailnets.
        var ownersOfTailnet: [String: [String]] = [:]
        for owner in context.plan.owners {
            if let earlier = ownersOfTailnet[owner.tailnet]?.first {
                findings.append(
                    RuleFinding(
                        "owners '\(earlier)' and '\(owner.name)' both use tailnet '\(owner.tailnet)': its users reach the apps of both",
                        at: owner.path / "tailnet"))
            }
            ownersOfTailnet[owner.tailnet, default: []].append(owner.name)
        }
        // The tailnets each user is listed in so far, with the owners whose nodes they reach.
        var tailnetsOfUser: [String: [(tailnet: String, owners: Set<String>)]] = [:]
        for tailnet in context.plan.tailnets {
            let owners = Set(ownersOfTailnet[tailnet.name] ?? [])
            for (index, user) in tailnet.users.enumerated() {
                if !owners.isEmpty, let earlier = tailnetsOfUser[user]?.first(where: { !$0.owners.isEmpty && $0.owners != owners }) {
                    findings.append(
                        RuleFinding(
                            "user '\(user)' is listed in tailnet '\(earlier.tailnet)' (owner \(earlier.owners.sorted().joined(separator: ", "))) and in tailnet '\(tailnet.name)' (owner \(owners.sorted().joined(separator: ", "))): they reach the apps of both owners",
                            at: tailnet.path / "users" / index))
                }
                tailnetsOfUser[user, default: []].append((tailnet.name, owners))
            }
        }
        return findings
    }
}
