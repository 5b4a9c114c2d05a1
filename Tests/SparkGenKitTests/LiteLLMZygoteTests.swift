import Foundation
import SparkTestSupport
import Testing

/// The LiteLLM zygote server (proof/litellm_proof/server.py) ends with the process that started
/// it: at EOF on its stdin, which is what a test process's exit gives it. (That its forks run as
/// the proofs' own is shown by the LiteLLM proofs and their break cases, RealToolTests.)
@Suite struct LiteLLMZygoteTests {
    @Test func theServerExitsWhenItsStdinCloses() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.python3)
        process.arguments = [Fixtures.repositoryRoot + "/proof/litellm_proof/server.py", directory]
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        // It listens (the socket's path appears once it accepts), imports nothing unasked.
        var listening = false
        for _ in 0..<300 where !listening {
            listening = FileManager.default.fileExists(atPath: directory + "/zygote.sock")
            if !listening { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(listening, "server.py made no socket in \(directory)")
        #expect(process.isRunning)
        try stdin.fileHandleForWriting.close()
        // Bounded: it checks its stdin at least once a second.
        for _ in 0..<300 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "server.py still runs after its stdin closed")
        if process.isRunning { process.terminate() }
        #expect(!FileManager.default.fileExists(atPath: directory + "/zygote.sock"), "the socket outlived the server")
    }
}
