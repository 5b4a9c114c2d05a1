import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program to completion and captures what it printed, for end-to-end tests.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum CommandRunner {
    /// Runs `executable` with `arguments` in `directory`; a program that cannot start is status 127.
    public static func run(_ executable: String, _ arguments: [String], in directory: String? = nil, input: String? = nil) -> CommandResult {
        let scratch = scratchDirectory()
        guard let process = start(executable, arguments, in: directory, input: input, scratch: scratch, whenDone: nil) else {
            return collect(scratch, status: 127, failure: "cannot start \(executable)")
        }
        process.waitUntilExit()
        return collect(scratch, status: process.terminationStatus)
    }

    /// Runs a program found on PATH (python3: the interpreter it resolves to, `python3`).
    public static func tool(_ name: String, _ arguments: [String], in directory: String? = nil, input: String? = nil) -> CommandResult {
        if name == "python3" { return run(python3, arguments, in: directory, input: input) }
        return run("/usr/bin/env", [name] + arguments, in: directory, input: input)
    }

    /// The interpreter `python3` on PATH runs, asked once. Where PATH has pyenv's shims, every
    /// start through a shim runs pyenv's bash scripts first: about 0.1 CPU-s, more than the
    /// interpreter's own start; the tests start Python hundreds of times (docs/testing.md).
    public static let python3: String = {
        let asked = run("/usr/bin/env", ["python3", "-c", "import sys; print(sys.executable)"])
        let path = asked.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return asked.status == 0 && path.hasPrefix("/") ? path : "/usr/bin/python3"
    }()

    /// `run`, awaited without blocking a thread: a test waiting minutes on a proof leaves Swift
    /// Testing's worker threads (one per core) to the other tests.
    /// `environment` is added to this process's own.
    public static func finish(
        _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]
    ) async -> CommandResult {
        let scratch = scratchDirectory()
        return await withCheckedContinuation { (continuation: CheckedContinuation<CommandResult, Never>) in
            let process = start(executable, arguments, in: directory, input: nil, scratch: scratch, environment: environment) { status in
                continuation.resume(returning: collect(scratch, status: status))
            }
            if process == nil { continuation.resume(returning: collect(scratch, status: 127, failure: "cannot start \(executable)")) }
        }
    }

    private static func scratchDirectory() -> URL {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spark-gen-run-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        return scratch
    }

    /// What the program printed; removes the scratch directory.
    private static func collect(_ scratch: URL, status: Int32, failure: String? = nil) -> CommandResult {
        defer { try? FileManager.default.removeItem(at: scratch) }
        if let failure { return CommandResult(status: status, stdout: "", stderr: failure) }
        let outText = (try? String(contentsOf: scratch.appendingPathComponent("out"), encoding: .utf8)) ?? ""
        let errText = (try? String(contentsOf: scratch.appendingPathComponent("err"), encoding: .utf8)) ?? ""
        return CommandResult(status: status, stdout: outText, stderr: errText)
    }

    /// The started process, or nil when it cannot start.
    private static func start(
        _ executable: String, _ arguments: [String], in directory: String?, input: String?, scratch: URL,
        environment: [String: String] = [:], whenDone: (@Sendable (Int32) -> Void)?
    ) -> Process? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Output goes to files, not pipes, so a chatty program can never block on a full pipe.
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let stdin = Pipe()
        if let whenDone {
            // Set before run(): a program that ends at once still reports.
            process.terminationHandler = { whenDone($0.terminationStatus) }
        }
        do {
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            process.standardInput = stdin
            try withSignalsUnblocked { try process.run() }
        } catch {
            return nil
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        return process
    }

    /// Runs `body` (a spawn) with no signal blocked in this thread, then restores the mask. A
    /// child inherits the spawning thread's mask, and the threads Swift concurrency and Dispatch
    /// run tests on block nearly every signal: a proof's `timeout 3 …` then never got its
    /// SIGALRM, and each probe of a dropped port waited out TCP's SYN retries (about two
    /// minutes) instead of three seconds.
    static func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
        #if canImport(Glibc)
            var none = sigset_t()
            var saved = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, &saved)
            defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        #endif
        return try body()
    }
}
