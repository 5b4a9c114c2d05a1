import Foundation

/// Runs one proof by real programs, `proof/<script>` with python3, when ProofSlots has room
/// for it, and awaits it without holding a thread. Every test that starts a proof goes through
/// here, so the proofs of all suites run side by side, bounded, in one `swift test`.
///
/// A new proof plugs in as a checker of proof/prove.py (RealToolTests runs every checker on
/// every example, and its break cases by `--tree`), or as its own script called from a test
/// with `await Proof.run("my_check.py", [...])`. The script must be safe to run beside any
/// other proof: its own network namespace names (a random prefix, as netns_matrix.Harness
/// makes), its own ports inside them, its own temporary directories, and no host state.
public enum Proof {
    /// Weights: a Ray cluster (two or three raylets, about 1 GB, busy starting) counts as two.
    public static let ray = 2

    public static func run(_ script: String, _ arguments: [String], weight: Int = 1) async -> CommandResult {
        await ProofSlots.shared.run(weight: weight) {
            await CommandRunner.finish(
                CommandRunner.python3, [Fixtures.repositoryRoot + "/proof/" + script] + arguments,
                environment: ["SPARK_FIREWALL_CACHE": firewallCache])
        }
    }

    /// Where the proofs of this `swift test` keep what the real ufw made of each distinct
    /// firewall.sh (proof/netns_proof/firewall.py): the first proof to apply a script runs it
    /// with ufw, a later one restores that ruleset exactly. One per test process, so every
    /// test run applies each script with ufw at least once; removed when the process exits,
    /// and any left by a process that no longer runs when the next one starts.
    public static let firewallCache: String = {
        let parent = FileManager.default.temporaryDirectory.path
        let prefix = "spark-gen-firewalls-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
            if let pid = Int32(name.dropFirst(prefix.count)), kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: parent + "/" + name)
            }
        }
        let path = parent + "/" + prefix + String(getpid())
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Proof.firewallCache) }
        return path
    }()

    /// proof/prove.py with the test binary's spark-gen.
    public static func prove(_ arguments: [String]) async -> CommandResult {
        await run("prove.py", ["--binary", Fixtures.binary] + arguments)
    }
}
