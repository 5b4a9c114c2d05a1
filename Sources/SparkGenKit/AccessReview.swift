import SparkDiagnostics
import SparkEmit
import SparkJSON
import SparkPlan

/// What a topology change does to trust, read from the plans of both versions: who gains or
/// loses reach to which listener, who can newly read another owner's prompts or run code on
/// their nodes, which secret references come and go, which findings and acceptances change,
/// and which generated files change. It widens access when anything is gained. Listener reach
/// is the modelled vantages' view; the policy delta covers every identity the policies name.
public struct AccessReview {
    /// One reachable (node, port, vantage) cell of the reachability model.
    public struct Reach: Hashable, Comparable, Sendable {
        public let node: String
        public let port: Int
        public let service: String
        public let vantage: String
        /// The owners other than the node's on whose behalf the vantage connects.
        public let otherOwners: [String]

        public var text: String {
            let whose = otherOwners.isEmpty ? "" : " (owner \(otherOwners.joined(separator: ", ")))"
            return "\(vantage)\(whose) → \(node) \(service) (\(port))"
        }

        public static func < (lhs: Reach, rhs: Reach) -> Bool { (lhs.node, lhs.port, lhs.vantage) < (rhs.node, rhs.port, rhs.vantage) }
    }

    /// One generated file that differs between the versions.
    public struct FileChange: Sendable {
        public enum Kind: String, Sendable { case added, removed, changed }
        public let path: String
        public let kind: Kind
        public let linesAdded: Int
        public let linesRemoved: Int
        public let diff: String
    }

    public let reachGained: [Reach]
    public let reachLost: [Reach]
    /// What the tailnet policies let any identity they name open, gained and lost: people
    /// outside the topology, groups, autogroups, tags and hosts included (`PolicyAccess`).
    public let policyGained: [PolicyAccess.Reach]
    public let policyLost: [PolicyAccess.Reach]
    /// "reader can read owner's prompts (why)" statements.
    public let readersGained: [String]
    public let readersLost: [String]
    /// "a can run code on b's nodes" statements.
    public let codeGained: [String]
    public let codeLost: [String]
    public let secretsAdded: [String]
    public let secretsRemoved: [String]
    public let findingsNew: [String]
    public let findingsGone: [String]
    public let acceptancesAdded: [String]
    public let acceptancesRemoved: [String]
    public let files: [FileChange]
    /// The head's picture with the flows the change adds and removes marked (Mermaid).
    public let picture: String
    /// Which versions have an error finding and so no generated files to compare ("base", "head").
    public let unbuilt: [String]

    /// True when the change gives anyone access they did not have, or accepts a new risk.
    public var widensAccess: Bool {
        !reachGained.isEmpty || !policyGained.isEmpty || !readersGained.isEmpty || !codeGained.isEmpty || !acceptancesAdded.isEmpty
    }

    /// The error findings the change brings: the head would not build.
    public var newErrors: [String] { findingsNew.filter { $0.hasPrefix("error") } }

    /// True when CI should stop for a reviewer: access widens, or the head gains errors.
    public var needsApproval: Bool { widensAccess || !newErrors.isEmpty }

    public init(
        base: Plan, head: Plan, baseDiagnostics: [Diagnostic], headDiagnostics: [Diagnostic],
        baseArtifacts: [Artifact]?, headArtifacts: [Artifact]?
    ) {
        func sorted(_ set: Set<String>) -> [String] { set.sorted() }
        let baseReach = Self.reach(base), headReach = Self.reach(head)
        reachGained = headReach.subtracting(baseReach).sorted()
        reachLost = baseReach.subtracting(headReach).sorted()
        let policy = PolicyAccess(base: base, head: head)
        policyGained = policy.gained
        policyLost = policy.lost
        let baseReaders = Self.readers(base), headReaders = Self.readers(head)
        readersGained = sorted(headReaders.subtracting(baseReaders))
        readersLost = sorted(baseReaders.subtracting(headReaders))
        let baseCode = Self.codeExecution(base), headCode = Self.codeExecution(head)
        codeGained = sorted(headCode.subtracting(baseCode))
        codeLost = sorted(baseCode.subtracting(headCode))
        let baseSecrets = Self.secrets(base), headSecrets = Self.secrets(head)
        secretsAdded = sorted(headSecrets.subtracting(baseSecrets))
        secretsRemoved = sorted(baseSecrets.subtracting(headSecrets))
        // Findings are compared by rule and message: a change that only moves lines moves nothing.
        let baseFindings = Self.findings(baseDiagnostics), headFindings = Self.findings(headDiagnostics)
        findingsNew = sorted(headFindings.subtracting(baseFindings))
        findingsGone = sorted(baseFindings.subtracting(headFindings))
        let baseAccepted = Self.acceptances(baseDiagnostics), headAccepted = Self.acceptances(headDiagnostics)
        acceptancesAdded = sorted(headAccepted.subtracting(baseAccepted))
        acceptancesRemoved = sorted(baseAccepted.subtracting(headAccepted))
        unbuilt = [("base", baseArtifacts), ("head", headArtifacts)].filter { $0.1 == nil }.map(\.0)
        // A version with errors has no files: comparing would show every file as added or removed.
        picture = TopologyGraph(plan: head).mermaid(comparedWith: base)
        files = unbuilt.isEmpty ? Self.fileChanges(base: baseArtifacts ?? [], head: headArtifacts ?? []) : []
    }

    static func reach(_ plan: Plan) -> Set<Reach> {
        var cells = Set<Reach>()
        for entry in Reachability(plan).entries where entry.reachable && entry.vantage != .local {
            guard let node = plan.node(named: entry.node) else { continue }
            let others = Reachability.otherOwners(of: entry.vantage, toward: node, in: plan)
            cells.insert(
                Reach(node: entry.node, port: entry.service.port, service: entry.service.name, vantage: entry.vantage.description, otherOwners: others))
        }
        return cells
    }

    /// Who reads whose prompts: the owner of every rank of every model an owner's LiteLLM routes to.
    static func readers(_ plan: Plan) -> Set<String> {
        var statements = Set<String>()
        for node in plan.nodes {
            guard let litellm = node.litellm else { continue }
            for route in litellm.routes {
                guard let cluster = plan.cluster(serving: route.servedName) else { continue }
                for member in cluster.members where member.owner != node.owner.name {
                    statements.insert("\(member.owner) can read the prompts of \(node.owner.name) (\(cluster.name) runs a rank on \(member.name))")
                }
            }
        }
        // An offer: the other owner's requests to the offered models pass the offering LiteLLM.
        for offer in plan.offers {
            for receiver in offer.receivers {
                statements.insert(
                    "\(offer.from) can read the prompts of \(offer.to) sent to \(offer.servedNames.joined(separator: ", ")) (offered through the \(TrustReport.gateway) on "
                        + "\(offer.gateway), which \(receiver)'s \(TrustReport.gateway) calls with key \(offer.keyAlias)@\(offer.gateway))")
            }
        }
        return statements
    }

    /// Who can run code on whose nodes: members of one Ray cluster of different owners.
    static func codeExecution(_ plan: Plan) -> Set<String> {
        var statements = Set<String>()
        for cluster in plan.clusters where cluster.isMultiNode {
            for member in cluster.members {
                for other in cluster.members where other.owner != member.owner {
                    statements.insert("\(member.owner) can run code on \(other.name) (owner \(other.owner)) through the Ray cluster of \(cluster.name)")
                }
            }
        }
        // An ssh key spark-gen installs is code execution too, limited to its gate's commands.
        for gate in SSHGate.gates(in: plan) {
            statements.insert(
                "\(gate.holderPhrase) can run by ssh on \(gate.node.name) (owner \(gate.node.owner.name)), from \(gate.from): "
                    + gate.commands.map(\.purpose).joined(separator: "; "))
        }
        return statements
    }

    static func secrets(_ plan: Plan) -> Set<String> {
        Set(
            plan.nodes.flatMap { node in
                node.secretFiles.map { "\(node.name): \($0.path) (\($0.variables.joined(separator: ", ")); read by \($0.readers.joined(separator: ", ")))" }
            })
    }

    static func findings(_ diagnostics: [Diagnostic]) -> Set<String> {
        Set(
            diagnostics.filter { $0.acceptedReason == nil && $0.severity != .note }.map {
                "\($0.severity.rawValue)\($0.code.map { "[\($0)]" } ?? ""): \($0.message)"
            })
    }

    static func acceptances(_ diagnostics: [Diagnostic]) -> Set<String> {
        Set(diagnostics.compactMap { diagnostic in diagnostic.acceptedReason.map { _ in "\(diagnostic.code ?? ""): \(diagnostic.message)" } })
    }

    static func fileChanges(base: [Artifact], head: [Artifact]) -> [FileChange] {
        let old = Dictionary(base.map { ($0.path, $0.contents) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(head.map { ($0.path, $0.contents) }, uniquingKeysWith: { first, _ in first })
        return Set(old.keys).union(new.keys).sorted().compactMap { path in
            let before = old[path], after = new[path]
            guard before != after else { return nil }
            let diff = UnifiedDiff.diff(old: before ?? "", new: after ?? "", oldName: "a/\(path)", newName: "b/\(path)")
            let lines = diff.split(separator: "\n", omittingEmptySubsequences: false)
            let added = lines.filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }.count
            let removed = lines.filter { $0.hasPrefix("-") && !$0.hasPrefix("---") }.count
            let kind: FileChange.Kind = before == nil ? .added : after == nil ? .removed : .changed
            return FileChange(path: path, kind: kind, linesAdded: added, linesRemoved: removed, diff: diff)
        }
    }
}
