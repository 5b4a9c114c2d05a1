import SparkDiagnostics
import SparkSpec

/// The plan of the part of a topology that resolves, so one run reports a reference error and
/// the rule findings of everything else (a duplicate master key beside an unknown node).
///
/// Each entry (a node, a model, an owner…) an error points into is left out, and the rest is
/// resolved again, until it resolves or nothing is left to drop. The plan is for the rules
/// only: a topology with an error is never built.
public enum PartialResolution {
    /// Rounds of dropping: each one follows the references of the entries the last one dropped
    /// (an unknown tailnet drops its owner, then the owner's nodes, then their models).
    static let maximumRounds = 8

    /// `diagnostics` are those `PlanResolver.resolve` gave `topology`. Returns the plan of what
    /// resolves and the further errors found on the way that are not echoes of a dropped entry
    /// (a model whose head was dropped is an "unknown node" only because of the drop).
    public static func resolve(_ topology: Topology, sourceName: String, diagnostics: [Diagnostic]) -> Outcome {
        var remaining = topology
        var errors = diagnostics.filter { $0.severity == .error }
        var outcome = Outcome()
        var reported = Set(diagnostics.map { "\($0.path?.description ?? "") \($0.message)" })
        for _ in 0..<maximumRounds {
            var droppedNow = false
            for error in errors {
                guard let entry = error.path.flatMap(Self.entry), !outcome.dropped.contains(entry.key) else { continue }
                outcome.touched.formUnion(remaining.neighbours(of: entry))
                // An error at something that cannot be left out (the stack, the version) ends it.
                guard remaining.drop(entry) else { return outcome }
                outcome.dropped.insert(entry.key)
                droppedNow = true
            }
            guard droppedNow else { return outcome }
            let resolved = PlanResolver.resolve(remaining, sourceName: sourceName, parts: .rules)
            for diagnostic in resolved.diagnostics where diagnostic.severity == .error {
                let key = "\(diagnostic.path?.description ?? "") \(diagnostic.message)"
                guard reported.insert(key).inserted, !outcome.echoes(diagnostic) else { continue }
                outcome.diagnostics.append(diagnostic)
            }
            if let plan = resolved.plan {
                outcome.plan = plan
                return outcome
            }
            errors = resolved.diagnostics.filter { $0.severity == .error }
        }
        return outcome
    }

    public struct Outcome: Sendable {
        /// The plan of what resolved; nil when an error points at something that cannot be left out.
        public internal(set) var plan: Plan?
        /// Errors found once entries were left out, echoes of the drop excepted.
        public internal(set) var diagnostics: [Diagnostic] = []
        /// The entries left out ("nodes spark-01"), and those that lost a part with them (the
        /// links of a node left out, the nodes of a model left out).
        var dropped: Set<String> = []
        var touched: Set<String> = []

        /// The rule findings of the partial plan that stand on their own: errors only (a warning
        /// such as "routes no model" may only mean a model was left out, and comes with the next
        /// run), none at an entry that lost a part (a link "joins only one node" once the other
        /// was left out), and none that names an entry left out.
        public func standing(_ findings: [Diagnostic]) -> [Diagnostic] {
            findings.filter { finding in
                guard finding.severity == .error, !echoes(finding) else { return false }
                guard let entry = finding.path.flatMap(PartialResolution.entry) else { return true }
                return !touched.contains(entry.key) && !dropped.contains(entry.key)
            }
        }

        /// An error that names an entry left out exists only because it was left out.
        func echoes(_ diagnostic: Diagnostic) -> Bool {
            dropped.contains { key in diagnostic.message.contains("'\(key.split(separator: " ").last ?? "")'") }
        }
    }

    /// The top-level entry a path points into: `nodes.spark-01.owner` → (nodes, spark-01).
    static func entry(_ path: SpecPath) -> Entry? {
        guard path.components.count >= 2, case .key(let section) = path.components[0], case .key(let name) = path.components[1],
            Entry.sections.contains(section)
        else { return nil }
        return Entry(section: section, name: name)
    }

    struct Entry: Sendable {
        static let sections: Set<String> = ["owners", "tailnets", "links", "nodes", "hosts", "models", "backends", "routes", "catalogs"]
        let section: String
        let name: String
        var key: String { "\(section) \(name)" }
    }
}

extension Topology {
    /// The entries that lose a part when `entry` is left out.
    fileprivate func neighbours(of entry: PartialResolution.Entry) -> [String] {
        switch entry.section {
        case "nodes": return node(named: entry.name)?.addresses.map { "links \($0.link)" } ?? []
        case "models":
            guard let model = models.first(where: { $0.name == entry.name }) else { return [] }
            return ([model.cluster.head] + model.cluster.workers).map { "nodes \($0)" }
        default: return []
        }
    }

    /// Leaves out one named entry; false when there is none (the error points elsewhere).
    fileprivate mutating func drop(_ entry: PartialResolution.Entry) -> Bool {
        let name = entry.name
        func without<T>(_ items: [T], _ itemName: (T) -> String) -> [T]? {
            let kept = items.filter { itemName($0) != name }
            return kept.count == items.count ? nil : kept
        }
        switch entry.section {
        case "owners":
            guard let kept = without(owners, \.name) else { return false }
            owners = kept
        case "tailnets":
            guard let kept = without(tailnets, \.name) else { return false }
            tailnets = kept
        case "links":
            guard let kept = without(links, \.name) else { return false }
            links = kept
        case "nodes":
            guard let kept = without(nodes, \.name) else { return false }
            nodes = kept
        case "hosts":
            guard let kept = without(hosts, \.name) else { return false }
            hosts = kept
        case "models":
            guard let kept = without(models, \.name) else { return false }
            models = kept
        case "backends":
            guard let kept = without(backends, \.name) else { return false }
            backends = kept
        case "routes":
            guard let kept = without(routes, \.name) else { return false }
            routes = kept
        case "catalogs":
            guard let kept = without(catalogs, \.name) else { return false }
            catalogs = kept
        default: return false
        }
        return true
    }
}
