import SparkTestSupport
import Testing

/// ProofSlots' order: the longest expected proof waiting goes first, arrival order among equals,
/// and a proof at the head that needs more slots than are free is not overtaken.
@Suite struct ProofSlotsTests {
    /// The order in which the bodies started.
    actor Started {
        var names: [String] = []
        func add(_ name: String) { names.append(name) }
    }

    /// Holds every slot of `slots` until `queue` proofs (name, weight, expected) wait, one by one
    /// in that order, then lets them go and returns the order they started in.
    static func order(width: Int, _ queue: [(String, Int, Double)]) async -> [String] {
        let slots = ProofSlots(width: width)
        let started = Started()
        let (gate, opener) = AsyncStream.makeStream(of: Void.self)
        let holder = Task { await slots.run(weight: width) { for await _ in gate { break } } }
        while await slots.usedCount < width { await Task.yield() }
        var tasks: [Task<Void, Never>] = []
        for (index, (name, weight, expected)) in queue.enumerated() {
            tasks.append(Task { await slots.run(weight: weight, expected: expected) { await started.add(name) } })
            while await slots.waitingCount < index + 1 { await Task.yield() }
        }
        opener.yield()
        opener.finish()
        await holder.value
        for task in tasks { await task.value }
        return await started.names
    }

    @Test func theLongestExpectedProofGoesFirst() async {
        let order = await Self.order(width: 1, [("short", 1, 5), ("longest", 1, 140), ("middle", 1, 45), ("also middle", 1, 45)])
        #expect(order == ["longest", "middle", "also middle", "short"])
    }

    @Test func aHeavyProofAtTheHeadIsNotOvertaken() async {
        // Two slots: the Ray-like proof (weight 2) heads the queue; the shorter one waits behind it.
        let order = await Self.order(width: 2, [("short", 1, 5), ("cluster", 2, 35)])
        #expect(order == ["cluster", "short"])
    }
}
