import Foundation
import SparkEmit
import SparkGenKit
import SparkTestSupport
import Testing

/// A first deployment with the playbook, as an operator meets it: the firewall must not cut the
/// ssh path in use, a changed config file restarts the service that reads it, pip's flags fit
/// the node's Python, and a service bound to the tailnet address finds that address.
/// The generated scripts run for real, against stand-ins on PATH that log their calls.
@Suite struct AnsibleBringUpTests {
    private static func artifacts(_ example: String) throws -> [Artifact] {
        try #require(Compilation.run(path: Fixtures.repositoryRoot + "/examples/\(example)/topology.yaml").artifacts)
    }

    private static func text(_ artifacts: [Artifact], _ path: String) throws -> String {
        try #require(artifacts.first { $0.path == path }, "\(path) missing").contents
    }

    /// Runs `script` with bash, stand-ins for `tools` (name: shell body) first on PATH, and
    /// returns the result and the stand-ins' log.
    private static func run(_ script: String, tools: [String: String], wrapper: [String] = []) throws -> (CommandResult, String) {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bin = scratch + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let log = scratch + "/calls.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        for (name, body) in tools {
            let path = "\(bin)/\(name)"
            try "#!/bin/sh\necho \"\(name) $*\" >> \(log)\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        try script.write(toFile: scratch + "/script.sh", atomically: true, encoding: .utf8)
        // A mount namespace of its own with a tmpfs over /etc/ufw: firewall.sh records what it
        // applied there, and this machine's ufw directory stays as it is.
        let privateUFW = ["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /etc/ufw && exec \"$@\"", "sh"]
        let result = CommandRunner.run(
            "/usr/bin/env", ["PATH=\(bin):/usr/bin:/bin:/usr/sbin:/sbin"] + privateUFW + wrapper + ["bash", scratch + "/script.sh"])
        return (result, try String(contentsOfFile: log, encoding: .utf8))
    }

    private static let root = ["id": "echo 0"]

    /// homelab's spark admits ssh only on tailscale0: before the node joined its tailnet the
    /// script stops, naming the fix, before any ufw call; once tailscale0 has an address it runs.
    @Test func theFirewallWaitsForTheTailnetWhereSSHComesOnlyOverIt() throws {
        let artifacts = try Self.artifacts("homelab")
        let script = try Self.text(artifacts, "nodes/spark/home/me/homelab/scripts/firewall.sh")
        let (refused, log) = try Self.run(script, tools: Self.root.merging(["ip": "exit 0", "ufw": ""]) { $1 })
        #expect(refused.status != 0)
        #expect(!log.contains("ufw "), "ufw ran before the tailnet join: \(log)")
        #expect(refused.stderr.contains("tailscale0 has no IPv4 address") && refused.stderr.contains("tailscale-up.sh"), "\(refused.stderr)")
        let up = "echo '5: tailscale0    inet 100.100.10.20/32 scope global tailscale0'"
        let (applied, calls) = try Self.run(script, tools: Self.root.merging(["ip": up, "ufw": ""]) { $1 })
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(calls.contains("ufw --force enable"))
        // The same with the real ip, in a network namespace of the test's own: first with only
        // loopback, then with a tailscale0 (one end of a veth pair) holding the tailnet address.
        let (bare, bareCalls) = try Self.run(script, tools: Self.root.merging(["ufw": ""]) { $1 }, wrapper: ["unshare", "-n"])
        #expect(bare.status == 1 && !bareCalls.contains("ufw "), "\(bare.stderr)")
        let joined =
            "ip link add tailscale0 type veth peer name ts-peer && ip addr add 100.100.10.20/32 dev tailscale0 && ip link set tailscale0 up && exec bash \"$1\""
        let (real, realCalls) = try Self.run(script, tools: Self.root.merging(["ufw": ""]) { $1 }, wrapper: ["unshare", "-n", "sh", "-c", joined])
        #expect(real.status == 0 && realCalls.contains("ufw --force enable"), "\(real.stderr)")
        // The README's first pass says so, and where the inventory's address only answers later.
        let readme = try Self.text(artifacts, "README.md")
        #expect(readme.contains("`ubuntu`, `spark` admit ssh only on `tailscale0`"))
        #expect(readme.contains("The topology gives no LAN address for `ubuntu`, `spark`"))
        let inventory = try Self.text(artifacts, "ansible/inventory.yml")
        #expect(inventory.contains("      # A tailnet name: it answers once spark joined its tailnet."))
    }

    /// A handler that failed is not notified again by a file that did not change: homelab's
    /// spark refuses its firewall on the first pass, and the next run must still apply it. The
    /// play's check (its command taken from site.yml) fails while the script has not run in full
    /// (refused, or cut short after ufw's reset), passes once it has, and fails again when the
    /// script on the node is another version.
    @Test func aRefusedFirewallRunsOnTheNextPlaybookRun() throws {
        let artifacts = try Self.artifacts("homelab")
        let script = try Self.text(artifacts, "nodes/spark/home/me/homelab/scripts/firewall.sh")
        let playbook = try Self.text(artifacts, "ansible/site.yml")
        let name = "  - name: \"Check that /home/me/homelab/scripts/firewall.sh is the script ufw applied\"\n"
        let start = try #require(playbook.range(of: name), "no check of the applied firewall in site.yml")
        let task = String(playbook[start.upperBound...].prefix(500).components(separatedBy: "  - name:").first ?? "")
        #expect(task.contains("notify: \"Run /home/me/homelab/scripts/firewall.sh\"\n"), "\(task)")
        #expect(task.contains("changed_when: spark_gen_firewall.rc != 0") && task.contains("check_mode: false"), "\(task)")
        let cmd = try #require(task.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("cmd: ") })
        let command = cmd.dropFirst("cmd: ".count)
        let check = command.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bin = scratch + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let tools = [
            "id": "echo 0", "ufw": "[ -n \"${CUT:-}\" ] && [ \"$*\" = '--force enable' ] && exit 1; exit 0",
            "ip": "[ -n \"${JOINED:-}\" ] && echo '5: tailscale0    inet 100.100.10.20/32 scope global tailscale0'; exit 0",
        ]
        for (tool, body) in tools {
            try "#!/bin/sh\n\(body)\n".write(toFile: "\(bin)/\(tool)", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(bin)/\(tool)")
        }
        try script.write(toFile: scratch + "/firewall.sh", atomically: true, encoding: .utf8)
        let driver = """
            fw=\(scratch)/firewall.sh
            bash "$fw" 2>/dev/null; echo "first pass: $?"
            \(check); echo "check: $?"
            JOINED=1 bash "$fw" >/dev/null; echo "after the join: $?"
            \(check); echo "check: $?"
            CUT=1 JOINED=1 bash "$fw" >/dev/null 2>&1; echo "cut short: $?"
            \(check) 2>/dev/null; echo "check: $?"
            JOINED=1 bash "$fw" >/dev/null; echo "again: $?"
            echo '# changed' >> "$fw"
            \(check) 2>/dev/null; echo "check: $?"
            """
        let result = CommandRunner.run(
            "/usr/bin/env",
            ["PATH=\(bin):/usr/bin:/bin:/usr/sbin:/sbin", "unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /etc/ufw && exec bash -c \"$1\"", "sh", driver])
        #expect(
            result.stdout == "first pass: 1\ncheck: 1\nafter the join: 0\ncheck: 0\ncut short: 1\ncheck: 1\nagain: 0\ncheck: 1\n",
            "\(result.stdout)\(result.stderr)")
    }

    /// A node whose ssh comes in on its LAN keeps its own check (the LAN address) and gets none
    /// for tailscale0, and its inventory entry is that LAN address.
    @Test func aLANNodeNeedsNoTailnetForItsFirewall() throws {
        let artifacts = try Self.artifacts("split-trust")
        let script = try Self.text(artifacts, "nodes/spark-01/home/cameron/sparky-ai-stack/scripts/firewall.sh")
        #expect(!script.contains("tailscale0 has no IPv4 address"))
        #expect(script.contains("ip -4 -o addr show"))
        let inventory = try Self.text(artifacts, "ansible/inventory.yml")
        #expect(!inventory.contains("# A tailnet name"))
    }

    /// The file LiteLLM reads at start restarts it: in compose (homelab's gateway mounts
    /// litellm-config.yaml) by recreating the services that mount it, under systemd (split-trust)
    /// by restarting the unit whose ExecStart names it. A file nothing reads at start notifies nothing.
    @Test func aChangedConfigFileRestartsTheServiceThatReadsIt() throws {
        let homelab = try Self.text(try Self.artifacts("homelab"), "ansible/site.yml")
        let copy = try #require(homelab.range(of: "  - name: \"File /home/me/homelab/litellm-config.yaml\"\n"))
        let task = homelab[copy.upperBound...].prefix(600).components(separatedBy: "  - name:").first ?? ""
        #expect(task.contains("notify: \"Mark litellm of /home/me/homelab for recreation\""), "\(task)")
        #expect(homelab.contains("cmd: \"docker compose up -d --force-recreate litellm\""))
        #expect(homelab.contains("spark_gen_force_litellm: true"))
        let runbookCopy = try #require(homelab.range(of: "  - name: \"File /home/me/homelab/RUNBOOK.md\"\n"))
        let runbookTask = homelab[runbookCopy.upperBound...].prefix(400).components(separatedBy: "  - name:").first ?? ""
        #expect(!runbookTask.contains("notify"))
        let split = try Self.text(try Self.artifacts("split-trust"), "ansible/site.yml")
        let config = try #require(split.range(of: "  - name: \"File /home/cameron/sparky-ai-stack/litellm-config.yaml\"\n"))
        let configTask = split[config.upperBound...].prefix(600).components(separatedBy: "  - name:").first ?? ""
        #expect(configTask.contains("notify: \"Mark litellm.service for restart\""), "\(configTask)")
    }

    /// Ubuntu 22.04's pip 22.0.2 has no --break-system-packages: the runbook's and the
    /// playbook's pip lines pass it only where python3 is externally managed (PEP 668).
    @Test func pipGetsTheFlagOnlyWhereThePythonIsExternallyManaged() throws {
        let artifacts = try Self.artifacts("split-trust")
        let runbook = try Self.text(artifacts, "nodes/spark-01/home/cameron/sparky-ai-stack/RUNBOOK.md")
        let site = try Self.text(artifacts, "ansible/site.yml")
        for text in [runbook, site] {
            #expect(!text.contains("\"--break-system-packages\""))
            for line in text.split(separator: "\n") where line.contains("pip3 install --user --break-system-packages") {
                #expect(line.first == " ", "an unconditional flag: \(line)")
            }
        }
        let start = try #require(runbook.range(of: "if python3 -c 'import os, sys, sysconfig;"))
        let end = try #require(runbook[start.upperBound...].range(of: "\nfi\n"))
        let block = String(runbook[start.lowerBound..<end.upperBound])
        let (old, oldCalls) = try Self.run(block, tools: ["python3": "exit 1", "pip3": ""])
        #expect(old.status == 0)
        #expect(oldCalls.contains("pip3 install --user huggingface_hub[cli]"), "\(oldCalls)")
        #expect(!oldCalls.contains("--break-system-packages"))
        let (managed, managedCalls) = try Self.run(block, tools: ["python3": "exit 0", "pip3": ""])
        #expect(managed.status == 0)
        #expect(managedCalls.contains("pip3 install --user --break-system-packages huggingface_hub[cli]"), "\(managedCalls)")
        // The check itself, run by this machine's python3: it exits 0 exactly when the file is there.
        let command = String(block.split(separator: "\n")[0].dropFirst("if ".count).dropLast("; then".count))
        let probe = CommandRunner.run("/bin/sh", ["-c", command])
        let stdlib = CommandRunner.run("/usr/bin/env", ["python3", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"])
        let marked = FileManager.default.fileExists(atPath: stdlib.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/EXTERNALLY-MANAGED")
        #expect((probe.status == 0) == marked, "\(command): \(probe.status), EXTERNALLY-MANAGED there: \(marked)")
        // LiteLLM's unit names pythonX.Y/site-packages: the runbook and the playbook check python3 is that version.
        #expect(runbook.contains("python3 -c 'import sys; sys.exit(\"%d.%d\" % sys.version_info[:2] != \"3.12\")' || echo 'STOP: python3 is not 3.12"))
        #expect(site.contains("Check that python3 is the version of the LiteLLM unit's PYTHONPATH"))
    }

    /// spark's vLLM binds its tailnet_ip: tailscale-up.sh stops naming the console step when
    /// Tailscale gave another address, and goes on when it gave that one. ubuntu binds nothing
    /// there and gets no check.
    @Test func tailscaleUpChecksTheAddressAServiceBinds() throws {
        let artifacts = try Self.artifacts("homelab")
        let script = try Self.text(artifacts, "nodes/spark/home/me/homelab/scripts/tailscale-up.sh")
        let (wrong, wrongCalls) = try Self.run(script, tools: Self.root.merging(["tailscale": "[ \"$1 $2\" = 'ip -4' ] && echo 100.77.1.2; exit 0"]) { $1 })
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("tailnet address is 100.77.1.2"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("Machines -> spark -> Edit machine IPv4 -> 100.100.10.20"), "\(wrong.stderr)")
        #expect(!wrongCalls.contains("tailscale serve"))
        let (right, rightCalls) = try Self.run(script, tools: Self.root.merging(["tailscale": "[ \"$1 $2\" = 'ip -4' ] && echo 100.100.10.20; exit 0"]) { $1 })
        #expect(right.status == 0, "\(right.stderr)")
        #expect(rightCalls.contains("tailscale serve status"))
        let gateway = try Self.text(artifacts, "nodes/ubuntu/home/me/homelab/scripts/tailscale-up.sh")
        #expect(!gateway.contains("tailscale ip -4"))
        let runbook = try Self.text(artifacts, "nodes/spark/home/me/homelab/RUNBOOK.md")
        #expect(runbook.contains("Edit machine IPv4, set 100.100.10.20"))
    }
}
