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
            await CommandRunner.finish(CommandRunner.python3, [Fixtures.repositoryRoot + "/proof/" + script] + arguments)
        }
    }

    /// proof/prove.py with the test binary's spark-gen.
    public static func prove(_ arguments: [String]) async -> CommandResult {
        await run("prove.py", ["--binary", Fixtures.binary] + arguments)
    }
}
