import SparkDiagnostics
import SparkPlan

/// The topology entries behind a tailnet policy's grants and tests: a grant the topology
/// wrote points at it; one spark-gen derives, and each test, at the tailnet's users or the
/// nodes its tags stand for, and the listeners its ports open.
struct PolicyOrigins {
    let plan: Plan
    let tailnet: TailnetPlan

    func mark(_ marks: inout OriginMarks) {
        let policy = tailnet.policy
        marks.items(
            of: "\"grants\": [",
            policy.grants.map { grant in
                grant.paths.isEmpty ? paths(principals: grant.sources + grant.destinations, ports: grant.ports ?? []) : grant.paths
            })
        marks.items(
            of: "\"tests\": [",
            policy.tests.map { test in
                paths(principals: [test.source] + (test.accept + test.deny).map(host), ports: (test.accept + test.deny).compactMap(port))
            })
    }

    private func paths(principals: [String], ports: [Int]) -> [SpecPath] {
        var paths: [SpecPath] = []
        func add(_ path: SpecPath) { if !paths.contains(path) { paths.append(path) } }
        let members = plan.nodes.filter { $0.tailnet.name == tailnet.name }
        for node in members where principals.contains(where: { tailnet.tags(of: node.name).contains($0) }) {
            add(node.path)
            for service in node.services where ports.contains(service.port) && service.path != .root { add(service.path) }
        }
        if principals.contains(where: { $0.contains("@") || $0.hasPrefix("group:") || $0.hasPrefix("autogroup:") }) {
            add(tailnet.path / "users")
        }
        return paths.isEmpty ? [tailnet.path] : paths
    }

    /// `tag:x:8001` → `tag:x`; `user@example.com:443` → `user@example.com`.
    private func host(_ target: String) -> String {
        target.lastIndex(of: ":").map { String(target[..<$0]) } ?? target
    }

    private func port(_ target: String) -> Int? {
        target.lastIndex(of: ":").flatMap { Int(target[target.index(after: $0)...]) }
    }
}
