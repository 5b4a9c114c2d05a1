import Foundation
import SparkGenKit
import SparkPlan
import SparkTestSupport
import Testing

@testable import SparkEmit

/// A build emits from two threads (`ArtifactEmitter.emit(_:threads:into:)`); the files must be
/// those one thread makes, and the runbooks and the deploy manifest, which list the files, must
/// list them in the same order whichever thread finished first.
@Suite struct ParallelEmitTests {
    /// Collects artifacts from two threads.
    private final class Collector: @unchecked Sendable {
        private let lock = ThreadLock()
        private var artifacts: [Artifact] = []
        private var threads = Set<UInt>()

        func add(_ artifact: Artifact) {
            lock.locked {
                artifacts.append(artifact)
                threads.insert(UInt(pthread_self()))
            }
        }

        var sorted: [Artifact] { lock.locked { artifacts.sorted { $0.path < $1.path } } }
        var threadCount: Int { lock.locked { threads.count } }
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func twoThreadsWriteWhatOneWrites(example: String) throws {
        let path = try #require(Fixtures.examples.first { $0.name == example }).path
        let plan = try #require(Compilation.run(path: path, through: .plan).plan)
        let one = Collector()
        try ArtifactEmitter.emit(plan, threads: 1) { one.add($0) }
        let two = Collector()
        try ArtifactEmitter.emit(plan, threads: 2) { two.add($0) }
        #expect(one.sorted.map(\.path) == two.sorted.map(\.path))
        #expect(one.sorted == two.sorted)
        #expect(one.sorted == (try ArtifactEmitter.emit(plan)))
        #expect(one.threadCount == 1)
    }

    /// Job 0 finishes after job 1, on another thread: the results are still in the jobs' order.
    @Test func resultsKeepTheJobsOrder() throws {
        let lock = ThreadLock()
        var secondDone = false
        var threads: [Int: UInt] = [:]
        let results = try ParallelJobs.run(2, threads: 2) { index -> Int in
            lock.locked { threads[index] = UInt(pthread_self()) }
            if index == 0 {
                // Waits (at most ten seconds) for job 1, which the other thread runs.
                for _ in 0..<10_000 where !lock.locked({ secondDone }) { usleep(1000) }
            } else {
                lock.locked { secondDone = true }
            }
            return index * 10
        }
        #expect(results == [0, 10])
        #expect(lock.locked { secondDone })
        #expect(threads[0] != threads[1], "the two jobs ran on one thread")
    }

    @Test func everyJobRunsOnceInTheGivenOrder() throws {
        let lock = ThreadLock()
        var ran: [Int] = []
        let results = try ParallelJobs.run(5, threads: 1, order: [3, 1, 4, 0, 2]) { index -> String in
            lock.locked { ran.append(index) }
            return "job \(index)"
        }
        #expect(ran == [3, 1, 4, 0, 2])
        #expect(results == (0..<5).map { "job \($0)" })
        let many = try ParallelJobs.run(200, threads: 2) { $0 }
        #expect(many == Array(0..<200))
    }

    private struct Failed: Error, Equatable { let index: Int }

    @Test func aFailingJobsErrorIsThrown() {
        for threads in [1, 2] {
            #expect(throws: Failed(index: 3)) {
                _ = try ParallelJobs.run(6, threads: threads) { index -> Int in
                    if index == 3 || index == 5 { throw Failed(index: index) }
                    return index
                }
            }
        }
    }
}
