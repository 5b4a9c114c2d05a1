import SparkPlan
import SparkSpec

/// Every owner's master key and database password, by each spelling an app's key could match
/// it by: as written, as an absolute path on one of the owner's nodes, relative to a home, and
/// by fingerprint. Built once, so checking every app key of a fleet stays linear in the fleet
/// (comparing each key with every owner's secrets grew with the square of it).
struct OwnerSecretIndex {
    /// Owner positions (in `plan.owners`) by the secret's file as written.
    private var written: [NodePath: Set<Int>] = [:]
    /// By absolute path: an absolute file as written, or a `~/` file in a home of the owner's nodes.
    private var absolute: [String: Set<Int>] = [:]
    /// `~/` files by what follows the home, for a key that names the same file in another home.
    private var homeRelative: [String: Set<Int>] = [:]
    private var fingerprints: [String: Set<Int>] = [:]
    private let names: [String]

    /// `homes`: the homes of each owner's nodes (`RuleContext.homesByOwner()`).
    init(_ plan: Plan, homes: [String: Set<String>]) {
        names = plan.owners.map(\.name)
        for (position, owner) in plan.owners.enumerated() {
            for secret in [owner.masterKey, owner.dbPassword].compactMap({ $0 }) {
                written[secret.file, default: []].insert(position)
                if let sha256 = secret.sha256 { fingerprints[sha256, default: []].insert(position) }
                let text = secret.file.text
                if text == "~" || text.hasPrefix("~/") {
                    homeRelative[String(text.dropFirst(2)), default: []].insert(position)
                    for home in homes[owner.name] ?? [] { absolute[secret.file.absolute(home: home), default: []].insert(position) }
                } else {
                    absolute[text, default: []].insert(position)
                }
            }
        }
    }

    /// The owners, in file order, one of whose secrets `key` on `node` is: the same file as
    /// written, the same file on that node or on one of the owner's own, or the same value.
    func owners(holding key: SecretRef, on node: NodePlan) -> [String] {
        var found = written[key.file] ?? []
        let path = key.file.absolute(home: node.home)
        found.formUnion(absolute[path] ?? [])
        // An owner's `~/x` names the node's own `home/x` on this node.
        if path == node.home {
            found.formUnion(homeRelative[""] ?? [])
        } else if path.hasPrefix(node.home + "/") {
            found.formUnion(homeRelative[String(path.dropFirst(node.home.count + 1))] ?? [])
        }
        if let sha256 = key.sha256 { found.formUnion(fingerprints[sha256] ?? []) }
        return found.sorted().map { names[$0] }
    }
}
