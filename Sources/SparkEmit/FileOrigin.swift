import SparkDiagnostics
import SparkPlan

/// The origin every line of a file has when no block claims it: the node, tailnet, host or stack
/// the file belongs to, found from where the file lies in the tree (`Layout`).
enum FileOrigin {
    static func adding(to artifact: Artifact, in plan: Plan) -> Artifact {
        artifact.adding([OriginBlock(lines: 1...max(1, artifact.lineCount), paths: paths(of: artifact.path, in: plan), fileLevel: true)])
    }

    static func paths(of path: String, in plan: Plan) -> [SpecPath] {
        let parts = path.split(separator: "/").map(String.init)
        if parts.count > 2, parts[0] == "nodes", let node = plan.node(named: parts[1]) {
            return [node.path]
        }
        if parts.count > 2, parts[0] == "tailnets", let tailnet = plan.tailnet(named: parts[1]) {
            return [tailnet.path]
        }
        if parts.count > 2, parts[0] == "hosts", let host = plan.host(named: parts[1]) {
            return [host.path]
        }
        // The README, the runbook index and the deploy files describe the whole stack.
        return [SpecPath.root / "stack"]
    }
}
