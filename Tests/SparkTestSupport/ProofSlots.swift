import Foundation

/// How many proofs by real programs (proof/*.py: a LiteLLM proxy, a Ray cluster, network
/// namespaces) run at once in `swift test`. Most of a proof's time is spent waiting (for a
/// server to be ready, for a time-out it must see pass), so more of them than cores keep the
/// cores busy; but each one also takes memory (a Ray cluster about 1 GB, a LiteLLM proxy about
/// 300 MB) and the time-outs inside the proofs assume they are not starved of CPU, so not all
/// of them at once either. SPARK_PROOF_JOBS sets the width (default: three times the cores; on
/// the project's 2-core machine 4 left the cores idle a fifth of the time while proofs waited,
/// 6 kept them 91% busy and the full command took 717 s instead of 893 s, docs/testing.md).
///
/// A proof waits here without holding a thread: the tests that run proofs are async and
/// `CommandRunner.finish` awaits the process, so Swift Testing's few worker threads stay free
/// for the tests that compute.
///
/// Every proof of a run asks for its slot within its first two minutes, and first come, first
/// served then ran them in the order the suites happened to reach them: the green Ansible
/// applies and the Ray and LAN proofs, asked late, ran last, nearly alone, while the other
/// slots stood empty (session 13's warm run: `swift test` 492 s, its last 90 s with one or two
/// proofs running). So the waiting proof expected to take longest goes first (longest
/// processing time first), arrival order among equals; `expected` is a guess
/// (Proof.expectedSeconds) that orders the proofs and decides nothing else.
public actor ProofSlots {
    public static let shared = ProofSlots(width: ProofSlots.configuredWidth)

    public static var configuredWidth: Int {
        if let text = ProcessInfo.processInfo.environment["SPARK_PROOF_JOBS"], let width = Int(text), width > 0 { return width }
        return max(2, 3 * ProcessInfo.processInfo.activeProcessorCount)
    }

    private let width: Int
    private var used = 0
    private var waiting: [(weight: Int, expected: Double, resume: CheckedContinuation<Void, Never>)] = []

    public init(width: Int) {
        self.width = width
    }

    /// Runs `body` once `weight` slots are free (a Ray cluster takes more than a checker) and no
    /// proof expected to take longer (`expected` seconds) is waiting.
    public func run<T: Sendable>(weight: Int = 1, expected: Double = 0, _ body: @Sendable () async throws -> T) async rethrows -> T {
        let weight = min(weight, width)
        await acquire(weight, expected: expected)
        defer { release(weight) }
        return try await body()
    }

    private func acquire(_ weight: Int, expected: Double) async {
        if waiting.isEmpty && used + weight <= width {
            used += weight
            return
        }
        await withCheckedContinuation { resume in
            // After every proof expected to take as long or longer: arrival order among equals.
            let place = waiting.firstIndex { $0.expected < expected } ?? waiting.endIndex
            waiting.insert((weight, expected, resume), at: place)
        }
    }

    /// How many proofs wait for a slot, and how many slots are taken (for ProofSlotsTests).
    public var waitingCount: Int { waiting.count }
    public var usedCount: Int { used }

    private func release(_ weight: Int) {
        used -= weight
        // The head goes first, also when it needs more slots than are free: a heavy proof at
        // the head is not overtaken for ever.
        while let next = waiting.first, used + next.weight <= width {
            waiting.removeFirst()
            used += next.weight
            next.resume.resume()
        }
    }
}
