import Foundation

/// Runs a program to completion and captures what it printed, for end-to-end tests.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum CommandRunner {
    /// Runs `executable` with `arguments` in `directory`; a program that cannot start is status 127.
    public static func run(_ executable: String, _ arguments: [String], in directory: String? = nil, input: String? = nil) -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Output goes to files, not pipes, so a chatty program can never block on a full pipe.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spark-gen-run-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let stdin = Pipe()
        do {
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            process.standardInput = stdin
            try process.run()
        } catch {
            return CommandResult(status: 127, stdout: "", stderr: "cannot start \(executable): \(error)")
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        let outText = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let errText = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return CommandResult(status: process.terminationStatus, stdout: outText, stderr: errText)
    }

    /// Runs a program found on PATH.
    public static func tool(_ name: String, _ arguments: [String], in directory: String? = nil, input: String? = nil) -> CommandResult {
        run("/usr/bin/env", [name] + arguments, in: directory, input: input)
    }
}
