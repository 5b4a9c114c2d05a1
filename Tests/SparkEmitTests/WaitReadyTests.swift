import Foundation
import SparkTestSupport
import Testing

/// scripts/wait-ready.sh and verify.sh's container check, run for real against a fake `docker`
/// (and a fake `curl`) first on PATH: a container that restarts, exits or restarts between two
/// looks stops the wait at once with its last log lines, where a plain `until curl` loop would
/// wait out its whole time-out. Every run is bounded by `timeout -s KILL 60` (the generated
/// wait is 1800 s): a kill is a wait that did not notice. SIGKILL, since the test
/// runner starts its children with SIGTERM blocked, which plain `timeout` sends.
@Suite struct WaitReadyTests {
    static let stack = Fixtures.repositoryRoot + "/out/multi-model/nodes/spark/home/me/multi-model"

    /// A fake docker: `inspect` prints the states of $FAKE_STATES one per call (the last one
    /// repeats), or fails when it is `missing`; `logs` prints a marker line.
    static let docker = #"""
        #!/usr/bin/env bash
        case $1 in
          inspect)
            n=$(cat "$FAKE_DIR/calls" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE_DIR/calls"
            IFS=';' read -ra states <<<"$FAKE_STATES"
            i=$(( n < ${#states[@]} ? n : ${#states[@]} - 1 ))
            [ "${states[$i]}" = missing ] && { echo "Error: No such object: ${!#}" >&2; exit 1; }
            echo "${states[$i]}" ;;
          logs) echo "ValueError: fake crash marker of ${!#}" ;;
          *) exit 1 ;;
        esac
        """#

    static let curl = "#!/usr/bin/env bash\n[ \"${FAKE_CURL_OK:-0}\" = 1 ]\n"

    private static func run(_ script: String, states: String, curlOK: Bool = false) throws -> CommandResult {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bin = scratch + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for (name, text) in [("docker", docker), ("curl", curl)] {
            try text.write(toFile: bin + "/" + name, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + name)
        }
        let environment = "PATH=\(bin):/usr/bin:/bin FAKE_DIR=\(scratch) FAKE_STATES='\(states)' FAKE_CURL_OK=\(curlOK ? 1 : 0)"
        return CommandRunner.run("/bin/bash", ["-c", "env \(environment) timeout -s KILL 60 \(script)"])
    }

    static let wait = stack + "/scripts/wait-ready.sh vllm-gpt-oss-20b http://127.0.0.1:8001/v1/models 1800"

    @Test(arguments: [
        ("restarting true 3", "restarting true"),
        ("exited false 0", "status exited"),
        ("dead false 0", "status dead"),
        // Running at both looks, but restarted in between: Docker's back-off is shorter than the poll.
        ("running false 0;running false 1", "1 restart(s) while waiting"),
    ])
    func aContainerThatDiesAtStartStopsTheWait(_ states: String, _ evidence: String) throws {
        let result = try Self.run(Self.wait, states: states)
        #expect(result.status == 1, "status \(result.status): \(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("vllm-gpt-oss-20b stopped at start"), "\(result.stderr)")
        #expect(result.stderr.contains(evidence), "\(result.stderr)")
        #expect(result.stderr.contains("ValueError: fake crash marker of vllm-gpt-oss-20b"), "no log lines: \(result.stderr)")
    }

    @Test func aContainerThatAnswersEndsTheWait() throws {
        let result = try Self.run(Self.wait, states: "running false 0", curlOK: true)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("vllm-gpt-oss-20b answers at http://127.0.0.1:8001/v1/models"))
    }

    @Test func noSuchContainerEndsTheWait() throws {
        let result = try Self.run(Self.wait, states: "missing")
        #expect(result.status == 1)
        #expect(result.stderr.contains("no such container"))
    }

    @Test func aContainerThatRunsButNeverAnswersWaitsItsTime() throws {
        let short = Self.stack + "/scripts/wait-ready.sh vllm-gpt-oss-20b http://127.0.0.1:8001/v1/models 3"
        let result = try Self.run(short, states: "running false 0")
        #expect(result.status == 1, "status \(result.status)")
        #expect(result.stderr.contains("did not answer within 3 s"), "\(result.stderr)")
        #expect(result.stderr.contains("fake crash marker"))
    }

    /// The loop the runbook had before: it waits out its time-out (here cut at 5 s by SIGKILL)
    /// for the same crash-looping container, and says nothing about it.
    @Test func theOldLoopNeverNoticed() throws {
        let old = "timeout -s KILL 5 bash -c 'until curl -fsS http://127.0.0.1:8001/v1/models >/dev/null; do sleep 2; done'"
        let result = try Self.run(old, states: "restarting true 3")
        #expect([9, 124, 137].contains(result.status), "status \(result.status): it ended by itself")
        #expect(!result.stderr.contains("fake crash marker"))
    }

    /// verify.sh's check of a model's container, taken from the generated script.
    @Test(arguments: [("restarting true 3", false), ("exited false 0", false), ("running false 2", true)])
    func verifyShowsAContainerThatDoesNotRun(_ state: String, _ runs: Bool) throws {
        let verify = try String(contentsOfFile: Self.stack + "/scripts/verify.sh", encoding: .utf8)
        let start = try #require(verify.range(of: "container_runs() {"))
        let end = try #require(verify.range(of: "\n}\n", range: start.upperBound..<verify.endIndex))
        let function = String(verify[start.lowerBound..<end.upperBound])
        let script = Fixtures.temporaryDirectory() + "-check.sh"
        defer { try? FileManager.default.removeItem(atPath: script) }
        try (function + "container_runs vllm-gpt-oss-20b\n").write(toFile: script, atomically: true, encoding: .utf8)
        let result = try Self.run("bash \(script)", states: state)
        #expect((result.status == 0) == runs, "\(result.stdout)")
        if !runs {
            #expect(result.stdout.contains("status, restarting, restarts: \(state)"), "\(result.stdout)")
            #expect(result.stdout.contains("fake crash marker of vllm-gpt-oss-20b"), "\(result.stdout)")
        }
        #expect(verify.contains("if why=$(container_runs vllm-gpt-oss-20b); then pass"))
    }
}
