import Foundation
import SparkGenKit
import SparkTestSupport
import Testing

@testable import SparkEmit

/// Values from a topology reach shell scripts run as root. Every value is either held to a
/// strict grammar or quoted for its target; this builds a topology whose free-text values are
/// hostile, runs the generated scripts against stub programs that record their arguments, and
/// checks that exactly the expected programs ran, with the hostile text as one inert argument.
@Suite struct InjectionTests {
    static let canary = "/tmp/spark-gen-injection-canary"
    static let hostile = [
        "'; touch \(canary)-1; echo '",
        "$(touch \(canary)-2)",
        "`touch \(canary)-3`",
        "\"; touch \(canary)-4; \"",
        "a\\\\b && touch \(canary)-5",
    ]

    /// The example with hostile chat-template keyword values, and its generated tree on disk.
    private func hostileTree() throws -> (root: String, artifacts: [Artifact]) {
        let kwargs = Self.hostile.enumerated().map { index, value in
            "k\(index): \"\(value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
        }.joined(separator: ", ")
        let text = Fixtures.splitTrust(
            replacing: "default_chat_template_kwargs: {enable_thinking: false}",
            with: "default_chat_template_kwargs: {enable_thinking: false, \(kwargs)}")
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        let artifacts = try #require(compilation.artifacts, "\(compilation.diagnostics.map(\.oneLine))")
        let root = Fixtures.temporaryDirectory()
        try OutputWriter().write(artifacts, to: root + "/tree")
        return (root, artifacts)
    }

    /// Stub programs that append their name and arguments (NUL-separated) to a log.
    private func stubs(in directory: String, names: [String]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in names {
            var body = "#!/bin/bash\n{ printf '%s\\0' \(name) \"$@\"; printf '\\n'; } >> \"$STUB_LOG\"\n"
            // The head waits until Ray reports its GPUs; the stub answers that they are all there.
            if name == "python3" { body += "echo 2\n" }
            // The firewall checks the machine has the node's LAN addresses: every address the script names.
            if name == "ip" { body += "grep -oE '[0-9]+([.][0-9]+){3}' \"$STUB_SCRIPT\" | sed 's|.*|    inet &/32|'\n" }
            try body.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/" + name)
        }
    }

    @Test func hostileValuesStayInertInEveryScript() throws {
        let (root, artifacts) = try hostileTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for index in Self.hostile.indices { try? FileManager.default.removeItem(atPath: "\(Self.canary)-\(index + 1)") }
        let allowed = ["docker", "ray", "vllm", "python3", "mkdir", "ufw", "tailscale", "sleep", "ip"]
        try stubs(in: root + "/bin", names: allowed)
        // verify.sh and smoke.sh test running services, and ansible/drift.sh runs ansible-playbook on
        // the inventory (the hostile values reach it as YAML data, read back by the ansible checker);
        // their quoting is held by shellcheck and the proof.
        let scripts = artifacts.filter {
            $0.path.hasSuffix(".sh") && !$0.path.hasSuffix("verify.sh") && !$0.path.hasSuffix("smoke.sh") && $0.path != "ansible/drift.sh"
        }
        #expect(scripts.count == 8)
        var vllmArguments: [String] = []
        for script in scripts {
            let log = root + "/log-" + script.path.replacingOccurrences(of: "/", with: "_")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            // A mount namespace of its own with a tmpfs over /etc/ufw: firewall.sh records the
            // script it applied there (sha256sum is no stub), and this machine's stays as it is.
            let result = CommandRunner.run(
                "/usr/bin/unshare",
                [
                    "-m", "sh", "-c", "mount -t tmpfs tmpfs /etc/ufw && exec \"$@\"", "sh", "/usr/bin/env",
                    "-i", "PATH=\(root)/bin:/usr/bin:/bin", "STUB_LOG=\(log)", "STUB_SCRIPT=\(root)/tree/\(script.path)", "HOME=\(root)", "bash",
                    root + "/tree/" + script.path,
                ])
            #expect(result.status == 0, "\(script.path): \(result.stderr)")
            let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\0").map(String.init) }
            #expect(!calls.isEmpty, "\(script.path) ran nothing")
            for call in calls {
                #expect(allowed.contains(call.first ?? ""), "\(script.path) ran \(call)")
                if call.first == "vllm" { vllmArguments = call }
            }
            // Run under `bash -n` and shellcheck elsewhere; here, nothing outside the stubs ran.
        }
        for index in Self.hostile.indices {
            #expect(!FileManager.default.fileExists(atPath: "\(Self.canary)-\(index + 1)"), "hostile value \(index + 1) ran a command")
        }
        // The hostile text reaches vLLM as one JSON argument, byte for byte.
        let position = try #require(vllmArguments.firstIndex(of: "--default-chat-template-kwargs"))
        let json = try JSONSerialization.jsonObject(with: Data(vllmArguments[position + 1].utf8)) as? [String: Any]
        for (index, value) in Self.hostile.enumerated() {
            #expect(json?["k\(index)"] as? String == value)
        }
    }

    /// Whatever the word, bash reads the quoted form back as exactly that word.
    @Test(arguments: ["plain", "", "two words", "it's", "$HOME", "`id`", "a\\b\"c", "tab\tand\nnewline", "*?[]{}~!#&|;<>()", "ünïcödé", "'$(x)'\"`y`\""])
    func quotedWordsRoundTripThroughBash(_ word: String) {
        let result = CommandRunner.tool("bash", ["-c", "printf %s \(Shell.quote(word))"])
        #expect(result.status == 0)
        #expect(result.stdout == word, "\(Shell.quote(word))")
    }

    @Test func hostileScriptsPassShellcheck() throws {
        let (root, artifacts) = try hostileTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for script in artifacts where script.path.hasSuffix(".sh") {
            let path = root + "/tree/" + script.path
            #expect(CommandRunner.tool("bash", ["-n", path]).status == 0, "\(script.path)")
            let lint = CommandRunner.tool("shellcheck", ["-f", "gcc", "-S", "style", path])
            #expect(lint.status == 0 && lint.stdout.isEmpty, "\(script.path): \(lint.stdout)")
        }
    }
}
