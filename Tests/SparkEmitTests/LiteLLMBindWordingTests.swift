import Foundation
import SparkTestSupport
import Testing

/// What the README's Clients section and each runbook's differences say about where LiteLLM
/// listens and who reaches it, against what the node runs: the `--host` of its compose file or
/// litellm.service, and the ufw rules of its firewall.sh, read from the committed trees
/// (GoldenTreeTests keeps them equal to a fresh build). A gateway offered over a LAN binds every
/// address and admits the other owner's gateway: no sentence may say it binds 127.0.0.1 or that
/// only the tailnet policy decides.
@Suite struct LiteLLMBindWordingTests {
    /// (node, --host, port) of every LiteLLM in the tree, from the launcher's own text.
    static func launchers(_ example: String) throws -> [(node: String, host: String, port: Int)] {
        var found: [(node: String, host: String, port: Int)] = []
        for unit in LiveChecksTests.files(example, named: "litellm.service") {
            let node = try nodeName(unit)
            for groups in LiveChecksTests.matches(#"^ExecStart=\S*litellm .*--host (\S+) --port (\d+)"#, in: try LiveChecksTests.read(unit)) {
                found.append((node, groups[1], Int(groups[2]) ?? 0))
            }
        }
        for compose in LiveChecksTests.files(example, named: "compose.yaml") {
            let node = try nodeName(compose)
            let pattern = #"^  litellm:\n(?:    .*\n|    -.*\n)*?    - --host\n    - "?([0-9.]+)"?\n    - --port\n    - "?(\d+)"?"#
            for groups in LiveChecksTests.matches(pattern, in: try LiveChecksTests.read(compose)) {
                found.append((node, groups[1], Int(groups[2]) ?? 0))
            }
        }
        return found
    }

    static func nodeName(_ path: String) throws -> String {
        let parts = path.components(separatedBy: "/nodes/")
        return try #require(parts.count == 2 ? parts[1].split(separator: "/").first.map(String.init) : nil)
    }

    static func script(_ example: String, _ node: String, _ name: String) throws -> String {
        let files = LiveChecksTests.files(example, named: name).filter { $0.contains("/nodes/\(node)/") }
        return try LiveChecksTests.read(try #require(files.count == 1 ? files.first : nil, "want one \(name) of \(node)"))
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func clientsAndDifferencesSayWhereLiteLLMListens(_ example: String) throws {
        let readme = try LiveChecksTests.read(Fixtures.repositoryRoot + "/out/\(example)/README.md")
        let launchers = try Self.launchers(example)
        for (node, host, port) in launchers {
            let firewall = try Self.script(example, node, "firewall.sh")
            // Sources ufw admits to the LiteLLM port other than on tailscale0.
            let callers = LiveChecksTests.matches(#"^ufw allow in(?: on (?!tailscale0)\S+)? from (\S+) to \S+ port (\d+) "#, in: firewall)
                .filter { Int($0[2]) == port }.map { $0[1] }
            let line = try #require(
                readme.split(separator: "\n").first { $0.contains(" on \(node) listens on ") }.map(String.init),
                "README has no Clients line for the LiteLLM on \(node)")
            let runbook = try Self.script(example, node, "RUNBOOK.md")
            if host == "127.0.0.1" {
                #expect(line.contains("listens on 127.0.0.1:\(port) only"), "\(line)")
                #expect(callers.isEmpty, "\(node): ufw admits \(callers) to a loopback LiteLLM")
            } else {
                #expect(host == "0.0.0.0", "\(node): --host \(host)")
                #expect(line.contains("listens on every address"), "README says: \(line), but \(node) runs LiteLLM with --host \(host)")
                #expect(!runbook.contains("Every service binds 127.0.0.1"), "the RUNBOOK of \(node) says every service binds 127.0.0.1")
                #expect(!runbook.contains("The tailnet reaches LiteLLM through `tailscale serve`"), "\(node) serves no LiteLLM with tailscale serve")
                #expect(
                    !readme.contains("Here only the tailnet policy decides who reaches it"),
                    "README: only the tailnet policy decides, but \(node) binds every address")
                for caller in callers {
                    #expect(readme.contains("(\(caller))"), "README's Clients do not name \(caller), which ufw admits to \(node):\(port)")
                    #expect(runbook.contains("(\(caller))"), "the RUNBOOK of \(node) does not name \(caller), which ufw admits to its LiteLLM")
                }
            }
        }
    }
}
