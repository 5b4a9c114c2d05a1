import Foundation
import SparkDiagnostics
import SparkEmit
import SparkRules
import SparkSpec
import SparkTestSupport
import Testing

@testable import SparkPlan

/// A kind that runs several containers, owns a configuration file and secrets goes through
/// planning, the rules, every emitter, the runbook's recipe (run for real) and
/// `docker-compose config`, with nothing but its own type.
@Suite struct MultiContainerKindTests {
    /// The stack on a node whose home is `home`, with the board app lowered by `BoardKind`.
    private static func plan(home: String) throws -> (Plan, [Diagnostic]) {
        var builder = TopologyBuilder().owner("lab", database: false).link("lan", .lan, subnet: "192.168.1.0/24")
            .node("box", owner: "lab", links: [("lan", "192.168.1.10")], apps: [.n8n])
        builder.topology.nodes[0].home = home
        let resolved = PlanResolver.resolve(builder.topology, sourceName: "topology.yaml") { $0 == .n8n ? BoardKind() : AppKinds.kind($0) }
        let plan = try #require(resolved.plan, "\(resolved.diagnostics.map(\.message))")
        return (plan, resolved.diagnostics + RuleCatalog.check(RuleContext(plan: plan)))
    }

    @Test func thePlanHoldsEveryContainerFileAndSecret() throws {
        let (plan, findings) = try Self.plan(home: "/home/ops")
        let node = try #require(plan.node(named: "box"))
        #expect(node.workloads.map(\.name) == ["board-db", "board-web", "board-worker"])
        #expect(node.configFiles.map(\.path) == ["board/config.yaml"])
        #expect(node.services.map(\.port) == [5678, 5433])
        let secret = try #require(node.secretFiles.first { $0.path == "/home/ops/.lab-board.env" })
        #expect(secret.variables == ["DATABASE_URL", "POSTGRES_PASSWORD", "SESSION_SECRET"])
        #expect(secret.values["DATABASE_URL"]?.references == ["POSTGRES_PASSWORD"])
        #expect(!findings.contains { $0.severity == .error }, "\(findings.map(\.message))")
    }

    /// The compose file has the three services and both volumes, the config file lands in the
    /// stack directory, and the bind mount names it where it lands.
    @Test func everyContainerIsAComposeServiceAndTheFileIsWritten() throws {
        let (plan, _) = try Self.plan(home: "/home/ops")
        let artifacts = try ArtifactEmitter.emit(plan)
        let compose = try #require(artifacts.first { $0.path == "nodes/box/home/ops/lab/compose.yaml" }).contents
        for service in ["board-db:", "board-web:", "board-worker:", "board_db:", "board_uploads:"] {
            #expect(compose.contains("  \(service)\n"), "\(service) missing")
        }
        #expect(compose.contains("- /home/ops/lab/board/config.yaml:/app/config.yaml:ro\n"))
        #expect(compose.contains("- board_db:/var/lib/postgresql/data\n"))
        let config = try #require(artifacts.first { $0.path == "nodes/box/home/ops/lab/board/config.yaml" })
        #expect(config.contents.contains("database_port: 5433"))
        // Deployed with the rest of the stack, its image pulled with the others, its secret file made.
        let playbook = try #require(artifacts.first { $0.path == "ansible/site.yml" }).contents
        #expect(playbook.contains("dest: \"/home/ops/lab/board/config.yaml\""))
        let runbook = try #require(artifacts.first { $0.path.hasPrefix("nodes/box/") && $0.path.hasSuffix("/RUNBOOK.md") }).contents
        #expect(runbook.contains("docker pull \(BoardKind.image)"))
        #expect(runbook.contains("[ -e /home/ops/.lab-board.env ] || ("))
    }

    /// The runbook's recipe, run in a scratch home, makes the file with a fresh password that the
    /// database URL holds; `docker-compose config` then accepts the compose file with it.
    @Test func theRecipeMakesTheSecretsAndComposeAcceptsTheFile() throws {
        let home = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let (plan, _) = try Self.plan(home: home)
        let artifacts = try ArtifactEmitter.emit(plan)
        let runbook = try #require(artifacts.first { $0.path.hasSuffix("/RUNBOOK.md") && $0.path.hasPrefix("nodes/box/") }).contents
        let file = "\(home)/.lab-board.env"
        let start = try #require(runbook.range(of: "[ -e \(file) ] || ("))
        let end = try #require(runbook[start.lowerBound...].range(of: " )\n"))
        let recipe = String(runbook[start.lowerBound..<end.upperBound])
        #expect(!recipe.contains("sudo"), "a file of the user alone")
        let made = CommandRunner.tool("bash", ["-c", recipe])
        #expect(made.status == 0, "\(made.stderr)")
        let values = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").reduce(into: [String: String]()) { values, line in
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        let password = try #require(values["POSTGRES_PASSWORD"])
        #expect(password.count == 48)
        #expect(values["DATABASE_URL"] == "postgresql://board:\(password)@127.0.0.1:5433/board")
        #expect(values["SESSION_SECRET"]?.hasPrefix("s-") == true && values["SESSION_SECRET"]?.count == 66)
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let compose = try #require(artifacts.first { $0.path.hasPrefix("nodes/box/") && $0.path.hasSuffix("/compose.yaml") })
        let composePath = "\(home)/compose.yaml"
        try compose.contents.write(toFile: composePath, atomically: true, encoding: .utf8)
        let checked = CommandRunner.tool("docker-compose", ["-f", composePath, "config", "-q"], in: home)
        #expect(checked.status == 0, "\(checked.stderr)\(checked.stdout)")
    }
}
