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

    /// `label` names the proof in the cost table (ProofCost): the test that runs it and, unless
    /// given, the script and its arguments.
    public static func run(_ script: String, _ arguments: [String], weight: Int = 1, label: String? = nil, test: String = #function) async
        -> CommandResult
    {
        let queued = Date().timeIntervalSince1970
        return await ProofSlots.shared.run(weight: weight, expected: expectedSeconds(script, arguments)) {
            let command = [Fixtures.repositoryRoot + "/proof/" + script] + arguments
            var environment = ["SPARK_FIREWALL_CACHE": firewallCache]
            if let zygote = LiteLLMZygote.socket { environment["SPARK_LITELLM_ZYGOTE"] = zygote }
            // A suite's own `prove` wrapper says nothing: its arguments name the run.
            let caller = test.prefix { $0 != "(" }
            let name = (caller == "prove" ? "" : caller + ": ") + (label ?? describe(script, arguments))
            guard let cost = ProofCost.start(label: name, queuedAt: queued) else {
                return await CommandRunner.finish(CommandRunner.python3, command, environment: environment)
            }
            let (executable, wrapped) = cost.command(CommandRunner.python3, command)
            let result = await CommandRunner.finish(executable, wrapped, environment: environment)
            cost.finish()
            return result
        }
    }

    /// The longest wall seconds a proof of each prove.py checker took in a warm run of the whole
    /// command (session 13, 2026-12-07, proof/report.py's records), rounded up; the other
    /// checkers' green runs took under ten (a few break cases up to about 30). For ProofSlots'
    /// order alone (longest first): a stale figure costs time, never a result.
    static let expectedByChecker: [String: Double] = [
        "apply": 140, "swap": 110, "ansible": 55, "litellm": 50, "offer": 25, "postgres": 25, "hfcache": 25,
    ]

    /// How long the proof is expected to hold its slot, in seconds.
    static func expectedSeconds(_ script: String, _ arguments: [String]) -> Double {
        switch script {
        case "netns_matrix.py": return 45
        case "ray_check.py": return 35
        default:
            guard let at = arguments.firstIndex(of: "--only"), arguments.indices.contains(at + 1) else { return 10 }
            // An apply break case runs one check after part of the first run (--apply-only).
            if arguments.contains("--apply-only") { return 45 }
            return expectedByChecker[arguments[at + 1]] ?? 10
        }
    }

    /// Where the proofs of this `swift test` keep what the real ufw made of each distinct
    /// firewall.sh (proof/netns_proof/firewall.py): the first proof to apply a script runs it
    /// with ufw, a later one restores that ruleset exactly. A scratch directory of this test
    /// process (`Fixtures.temporaryDirectory`), so every test run applies each script with ufw
    /// at least once, and it goes when the process exits.
    public static let firewallCache = Fixtures.temporaryDirectory(named: "firewalls")

    /// proof/prove.py with the test binary's spark-gen.
    public static func prove(_ arguments: [String], label: String? = nil, test: String = #function) async -> CommandResult {
        await run("prove.py", ["--binary", Fixtures.binary] + arguments, label: label ?? describe("prove.py", arguments), test: test)
    }

    /// The script and its arguments, each path by its last part, after the example a scratch
    /// directory of BuiltExample holds (`split-trust/tree`).
    static func describe(_ script: String, _ arguments: [String]) -> String {
        ([script] + arguments.map(shortPath)).joined(separator: " ")
    }

    static func shortPath(_ argument: String) -> String {
        guard argument.hasPrefix("/") else { return argument }
        let parts = argument.split(separator: "/")
        if let scratch = parts.lastIndex(where: { $0.hasPrefix(Fixtures.scratchPrefix) }) {
            let example = parts[scratch].dropFirst(Fixtures.scratchPrefix.count).split(separator: "-").dropLast().joined(separator: "-")
            return ([example.isEmpty ? "scratch" : example] + parts[(scratch + 1)...].map(String.init)).joined(separator: "/")
        }
        return parts.last.map(String.init) ?? argument
    }
}
