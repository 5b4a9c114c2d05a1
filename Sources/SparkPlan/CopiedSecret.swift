import SparkDiagnostics
import SparkSpec

/// A secret file one node holds as a copy of another node's: a worker's Ray token (the head's)
/// or the key of a model that listens on the tailnet (its head's), for the LiteLLM that calls it.
///
/// The runbook hands each one over from the operator's machine (the one that ran `spark-gen
/// build` and copied every node's files there), right after the holder's firewall step: a pipe
/// from `ssh SOURCE cat` into the holder, never through a login of one node on another. A node
/// often cannot reach the other over ssh at all (homelab's tailnet grants tag-to-tag only the
/// model's port, and the firewall admits ssh on tailscale0 alone), and where it can, a login
/// from the worker into the head's account is a credential of the head's owner that the
/// worker's owner would keep. The operator's machine reaches both: it is where the copy step
/// already runs `rsync` to every node.
public struct CopiedSecret: Sendable {
    /// What the copy lets its holder do.
    public enum Grant: Sendable {
        /// Join the cluster's Ray: run code in its Ray processes on every member.
        case rayToken
        /// Call the model's API.
        case modelKey
        /// Call the offered models through the offering owner's LiteLLM (a key it minted for them).
        case offeredKey
    }

    /// The file as the holder has it.
    public let file: SecretFile
    public let holder: NodePlan
    public let source: NodePlan
    /// The file on the source node.
    public let sourcePath: String
    /// The model whose token or key it is, when the plan says.
    public let cluster: ClusterPlan?
    public let grant: Grant?
    /// The offer whose key it is, for a key an owner's gateway minted for another owner.
    public var offer: OfferPlan? = nil
    /// Where the topology names the secret, for findings.
    public let path: SpecPath

    /// Every copied secret file of the plan, node by node in file order.
    public static func all(in plan: Plan) -> [CopiedSecret] {
        plan.nodes.flatMap { of($0, in: plan) }
    }

    /// The copied secret files of `node`, in its order. The token or key is looked up among the
    /// source's own heads, so the cost stays with the node and the fleet's size does not matter.
    public static func of(_ node: NodePlan, in plan: Plan) -> [CopiedSecret] {
        node.secretFiles.compactMap { file -> CopiedSecret? in
            guard case .copied(let from, let sourcePath) = file.source, let source = plan.node(named: from) else { return nil }
            var found: (ClusterPlan, Grant, SecretRef)?
            for role in source.clusterRoles where role.kind == .head {
                let cluster = role.cluster
                if let token = cluster.runtime.rayToken, token.file.absolute(home: source.home) == sourcePath {
                    found = (cluster, .rayToken, token)
                } else if let key = cluster.apiKey, key.file.absolute(home: source.home) == sourcePath {
                    found = (cluster, .modelKey, key)
                }
                if found != nil { break }
            }
            if found == nil,
                let offer = plan.offers.first(where: {
                    $0.gateway == source.name && $0.receivers.contains(node.name) && $0.key.file.absolute(home: source.home) == sourcePath
                })
            {
                return CopiedSecret(
                    file: file, holder: node, source: source, sourcePath: sourcePath, cluster: nil, grant: .offeredKey, offer: offer,
                    path: offer.key.path)
            }
            return CopiedSecret(
                file: file, holder: node, source: source, sourcePath: sourcePath, cluster: found?.0, grant: found?.1,
                path: found?.2.path ?? node.path)
        }
    }

    /// Whether the holder and the source have different owners: the copy is a credential of
    /// one owner that the other holds.
    public var crossesOwners: Bool { holder.owner.name != source.owner.name }

    /// Where the operator's machine stands to reach `node` with ssh: on the node's first LAN
    /// (the address `NodePlan.sshTarget` uses), else as a device of a user of its tailnet.
    public static func operatorVantage(for node: NodePlan) -> Vantage {
        node.lan.map { .lan($0.link.name) } ?? .ownTailnet
    }

    /// Whether the operator's machine reaches `node`'s sshd from `operatorVantage(for:)`, under the
    /// node's generated firewall and its tailnet's policy (the cell of `Reachability`'s matrix,
    /// computed for this node alone). `lanNeighbours` is `Reachability.lanNeighbours(plan)`.
    public static func operatorReaches(_ node: NodePlan, in plan: Plan, lanNeighbours: [String: IPv4Address]) -> Bool {
        Reachability.reaches(
            operatorVantage(for: node), .ssh, on: node, plan: plan, firewall: FirewallPlanner.rules(for: node, in: plan),
            lanNeighbours: lanNeighbours) == true
    }
}
