import Foundation
import SparkGenKit
import SparkPlan
import SparkTestSupport
import Testing

@testable import SparkEmit

/// A runbook step is typed (notes, lists, commands on a machine, checks) and only
/// `RunbookMarkdown` prints it: every shell block of every committed RUNBOOK.md (what the
/// runbook proof hands to bash -n and shellcheck) is a block of typed commands of its step, in
/// order, and the commands run where the step says.
@Suite struct RunbookTypedStepTests {
    /// The shell blocks of a runbook's Markdown, as proof/prove.py's check_runbook reads them.
    static func shellBlocks(_ markdown: String) throws -> [String] {
        let pattern = try NSRegularExpression(pattern: "^```sh\\n(.*?)^```$", options: [.anchorsMatchLines, .dotMatchesLineSeparators])
        let range = NSRange(markdown.startIndex..., in: markdown)
        return pattern.matches(in: markdown, range: range).map { String(markdown[Range($0.range(at: 1), in: markdown)!]) }
    }

    static func steps(_ name: String) throws -> (Plan, [String: [RunbookStep]]) {
        let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml", encoding: .utf8)
        let plan = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml", through: .plan).plan)
        var steps: [String: [RunbookStep]] = [:]
        for turn in try ArtifactEmitter.bringUp(plan).passes.joined() { steps[turn.node, default: []] += turn.steps }
        return (plan, steps.mapValues { $0.sorted { $0.number < $1.number } })
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func everyShellBlockIsTypedCommands(_ name: String) throws {
        let (plan, steps) = try Self.steps(name)
        for node in plan.nodes {
            let path = Fixtures.repositoryRoot + "/out/\(name)/" + Layout.stackFile(node, "RUNBOOK.md")
            let shellcheckSees = try Self.shellBlocks(String(contentsOfFile: path, encoding: .utf8))
            let typed = (steps[node.name] ?? []).flatMap(\.commandBlocks).map { $0.commands.map { $0.text + "\n" }.joined() }
            #expect(!typed.isEmpty, "\(name)/\(node.name)")
            // The first block where they part, for a short message.
            let first = zip(typed, shellcheckSees).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(typed.count, shellcheckSees.count)
            let typedBlock = first < typed.count ? typed[first] : "missing"
            let printedBlock = first < shellcheckSees.count ? shellcheckSees[first] : "missing"
            let message =
                "\(name)/\(node.name): \(typed.count) typed blocks, \(shellcheckSees.count) printed; block \(first + 1): \(typedBlock) typed, \(printedBlock) printed"
            #expect(typed == shellcheckSees, Comment(rawValue: message))
            // Prose carries no command block of its own.
            for step in steps[node.name] ?? [] {
                #expect(!step.notes.contains { $0.contains("```") }, "\(name)/\(node.name) step \(step.number): a fence in a note")
            }
        }
    }

    /// The copy step and the secrets copied from other nodes run where `spark-gen build` ran,
    /// over ssh; every other step runs on the node. Each command that ssh-es to the node runs on
    /// the build machine.
    @Test(arguments: Fixtures.examples.map(\.name))
    func commandsRunOnTheMachineTheirStepSays(_ name: String) throws {
        let (plan, steps) = try Self.steps(name)
        let remote: [RunbookStep.Kind] = [.copy, .secretCopies, .offeredKeys]
        for node in plan.nodes {
            for step in steps[node.name] ?? [] {
                for block in step.commandBlocks {
                    #expect(block.machine == (remote.contains(step.kind) ? .buildMachine : .node), "\(name)/\(node.name): \(step.title)")
                    if block.machine == .buildMachine {
                        #expect(block.commands.allSatisfy { $0.text.hasPrefix("ssh ") || $0.text.hasPrefix("rsync ") }, "\(step.title)")
                    }
                }
            }
            // Every node's runbook proves its steps: at least verify.sh, as a check.
            let checks = (steps[node.name] ?? []).flatMap(\.checks).map(\.text)
            #expect(checks.contains { $0.hasSuffix("scripts/verify.sh") }, "\(name)/\(node.name): \(checks)")
        }
    }

    /// The verify step's checks from the tailnet are typed too: one per listener of the node,
    /// which succeeds for a tailnet-facing one and fails for every other (from a user's device).
    @Test(arguments: Fixtures.examples.map(\.name))
    func theVerifyStepProbesEveryListenerFromTheTailnet(_ name: String) throws {
        let (plan, steps) = try Self.steps(name)
        for node in plan.nodes {
            let verify = try #require((steps[node.name] ?? []).first { $0.kind == .verify })
            // The bullets under "From a device on tailnet …": no machine of their own.
            let probes = verify.probes.filter { $0.command != nil && $0.from == nil }
            #expect(probes.count == node.services.count, "\(name)/\(node.name): \(probes)")
            for service in node.services {
                let probe = probes.first { $0.command?.hasSuffix("\(node.tailnetHostname) \(service.port)") == true && $0.outcome.contains(service.name) }
                #expect(probe?.outcome.hasPrefix(service.isTailnetFacing ? "succeeds" : "fails") == true, "\(name)/\(node.name): \(service.name)")
                // A listener for named hosts on a LAN: they get an answer, the rest of the LAN does not.
                guard case .hosts(_, let hosts) = service.exposure else { continue }
                let fromHosts = verify.probes.filter { $0.command?.hasSuffix(" \(service.port)") == true || $0.outcome.contains(service.name) }
                #expect(fromHosts.contains { $0.from == "host " + hosts.joined(separator: " or ") && $0.outcome.hasPrefix("answers") }, "\(service.name)")
                #expect(fromHosts.contains { $0.from?.hasPrefix("any other machine") == true && $0.outcome == "fails" }, "\(service.name)")
            }
        }
    }

    /// The printer alone decides the Markdown: a note, a list, a block of commands and a list
    /// that continues the part before.
    @Test func theRendererPrintsEachPart() {
        let parts: [RunbookPart] = [
            .note("Run:"), .commands([RunbookCommand("a"), .check("b   # ok")]), .list(["x"]), .note("p"), .list(["y"], continuing: true),
            .probes([RunbookProbe("nc h 1", "fails")]), .probes([RunbookProbe(nil, "not seen")], continuing: true),
            .probeSentence([RunbookProbe(from: "host p", "curl u", "answers"), RunbookProbe(from: "any other", "nc a 2", "fails")]),
        ]
        #expect(
            RunbookMarkdown.render(parts)
                == "Run:\n\n```sh\na\nb   # ok\n```\n\n- x\n\np\n- y\n\n- `nc h 1` fails\n- not seen\n\nFrom host p, `curl u` answers; from any other, `nc a 2` fails.\n"
        )
    }

    /// A block says its shell, and the fence names it: PowerShell on a Windows host.
    @Test func aBlockIsFencedWithItsShell() {
        let parts: [RunbookPart] = [.commands([RunbookCommand("tailscale ip -4")], shell: .powershell), .commands([RunbookCommand("a")])]
        #expect(RunbookMarkdown.render(parts) == "```powershell\ntailscale ip -4\n```\n\n```sh\na\n```\n")
    }

    /// A tailnet host's runbook is typed steps too: every block of the Windows host's runbook is
    /// typed PowerShell commands, and the file holds no fence the steps did not render.
    @Test func aBackendHostsRunbookIsTypedSteps() throws {
        let plan = try Self.steps("homelab").0
        let hosts = BackendHostEmitter.hosts(plan)
        #expect(hosts.map(\.host) == ["win-5090"])
        let book = BackendHostEmitter().book(plan, host: hosts[0].host, backends: hosts[0].backends)
        let blocks = book.steps.flatMap(\.parts).filter { $0.commands != nil }
        #expect(blocks.count == 4)
        #expect(blocks.allSatisfy { if case .commands(_, .node, .powershell) = $0 { return true } else { return false } })
        let fences = book.markdown.components(separatedBy: "\n```").count - 1
        #expect(fences == 2 * blocks.count, "\(fences) fences for \(blocks.count) blocks")
        #expect(book.steps.map(\.kind) == [.secrets, .tailnet, .model, .model, .firewall, .verify])
    }
}
