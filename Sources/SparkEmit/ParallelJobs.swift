#if canImport(Glibc)
    import Glibc
#endif

/// Runs independent jobs on this thread and, when asked for two threads, one more; each job's
/// result goes to its own slot, so what a caller reads back is in the jobs' order whichever
/// thread ran which job and when. A fleet's node files are independent work: on this project's
/// 2-core machine, emitting them from two threads took a 1000-pair build from 4.9 to 3.9 s of
/// wall (quiet machine; decoding, resolving and the rules before it stay on one thread).
public enum ParallelJobs {
    /// How many threads a build uses: two where the machine has two processors or more.
    public static var threads: Int {
        sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1 ? 2 : 1
    }

    /// Runs `job(0) ..< job(count)`, each once, taking them in `order` (every index once; the
    /// largest first keeps two threads busy to the end), and returns their results by index.
    /// Once a job has thrown no new job starts, and the error of the lowest index that threw
    /// is thrown.
    static func run<Result>(
        _ count: Int, threads: Int, order: [Int]? = nil, _ job: (Int) throws -> Result
    ) throws -> [Result] {
        let order = order ?? Array(0..<count)
        precondition(order.count == count && Set(order) == Set(0..<count), "each job once")
        let slots = UnsafeMutableBufferPointer<Swift.Result<Result, Error>?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        let lock = ThreadLock()
        var next = 0
        // Each thread takes the next job in `order` until none is left; a slot is written by
        // the one thread that took its job, and read only after both threads are done.
        func work() {
            while true {
                let taken: Int? = lock.locked {
                    guard next < count else { return nil }
                    defer { next += 1 }
                    return order[next]
                }
                guard let index = taken else { return }
                do {
                    slots[index] = .success(try job(index))
                } catch {
                    slots[index] = .failure(error)
                    lock.locked { next = count }
                }
            }
        }
        if threads > 1 && count > 1 {
            withoutActuallyEscaping(work) { work in
                let other = Worker(work)
                let started = other.start()
                work()
                if started { other.join() }
            }
        } else {
            work()
        }
        // The lowest index that failed; a job never started (one taken before it threw) has
        // no slot, and only then.
        for index in 0..<count { if case .failure(let error) = slots[index] { throw error } }
        var results: [Result] = []
        results.reserveCapacity(count)
        for index in 0..<count {
            guard case .success(let result) = slots[index] else { preconditionFailure("job \(index) did not run") }
            results.append(result)
        }
        return results
    }

    /// One more thread running a closure; `join` waits for it.
    private final class Worker: @unchecked Sendable {
        private let body: () -> Void
        private var thread = pthread_t()

        init(_ body: @escaping () -> Void) { self.body = body }

        /// Starts the thread; false when the system would not make one (the caller's thread then
        /// does all the work).
        func start() -> Bool {
            let context = Unmanaged.passRetained(self).toOpaque()
            let made = pthread_create(
                &thread, nil,
                { context in
                    let worker = Unmanaged<Worker>.fromOpaque(context!).takeRetainedValue()
                    worker.body()
                    return nil
                }, context)
            if made != 0 { Unmanaged<Worker>.fromOpaque(context).release() }
            return made == 0
        }

        func join() { pthread_join(thread, nil) }
    }
}
