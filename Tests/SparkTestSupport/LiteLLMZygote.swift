import Foundation

/// The zygote server of this test process (proof/litellm_proof/server.py): LiteLLM's proxy is
/// imported once per test run, not once per LiteLLM proof (about 10 CPU-s each), and every
/// proof's proxy and config reading are forked from that import into the proof's own network
/// and mount namespaces and cgroup. Proofs find it by the socket path in SPARK_LITELLM_ZYGOTE
/// (Proof.run sets it, as SPARK_FIREWALL_CACHE); prove.py run by hand has none and imports per
/// proof, as before.
///
/// Started once, by the first proof; it imports nothing until a proof asks. It dies with this
/// process: its stdin is a pipe whose writing end only this process holds (EOF at its exit),
/// and it also exits when its parent changes. It runs in this process's cgroup, not a proof's,
/// so no proof's cost counts it as left running; each import's CPU is a line of its own in the
/// cost table (SPARK_PROOF_REPORT).
public enum LiteLLMZygote {
    /// The server's socket path, or nil when it could not be started (the proofs then import per proof).
    /// SPARK_LITELLM_ZYGOTE=none in this process's environment starts none (to compare).
    public static let socket: String? = {
        if ProcessInfo.processInfo.environment["SPARK_LITELLM_ZYGOTE"] == "none" { return nil }
        let directory = Fixtures.temporaryDirectory(named: "litellm-zygote")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.python3)
        process.arguments = [Fixtures.repositoryRoot + "/proof/litellm_proof/server.py", directory]
        let output = directory + "/server.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let stdin = Pipe()
        do {
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardError = process.standardOutput
            process.standardInput = stdin
            try CommandRunner.withSignalsUnblocked { try process.run() }
        } catch {
            return nil
        }
        // Held, never written: closed by the kernel when this process exits.
        pipe = stdin
        return directory + "/zygote.sock"
    }()

    /// The writing end of the server's stdin, kept open for this process's life.
    nonisolated(unsafe) private static var pipe: Pipe? = nil
}
