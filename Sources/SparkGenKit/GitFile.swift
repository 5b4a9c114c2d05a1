#if canImport(Glibc)
    import Glibc
#endif

/// Reads a file as it was at a git revision (`git show REV:./path`), with posix_spawn rather than
/// Foundation's Process, which would double the command's start-up time for every command.
public enum GitFile {
    public enum Failure: Error, CustomStringConvertible {
        case cannotRun(String)
        case gitFailed(String)

        public var description: String {
            switch self {
            case .cannotRun(let reason): return "cannot run git: \(reason)"
            case .gitFailed(let message): return message
            }
        }
    }

    /// The bytes of `path` (relative to the current directory, or absolute inside the work tree) at `revision`.
    public static func read(_ path: String, at revision: String) throws -> [UInt8] {
        // `./` makes the path relative to the current directory rather than the repository root.
        let relative = path.hasPrefix("/") ? path : "./" + path
        let arguments = ["git", "show", "\(revision):\(relative)"]
        var output: [Int32] = [0, 0], errors: [Int32] = [0, 0]
        guard pipe(&output) == 0, pipe(&errors) == 0 else { throw Failure.cannotRun("no pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        for descriptor in output + errors { posix_spawn_file_actions_addclose(&actions, descriptor) }
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child = pid_t()
        let spawned = posix_spawnp(&child, "git", &actions, nil, &argv, environ)
        close(output[1])
        close(errors[1])
        defer {
            close(output[0])
            close(errors[0])
        }
        guard spawned == 0 else { throw Failure.cannotRun(String(cString: strerror(spawned))) }
        // git's messages are short, so reading its output to the end before its errors cannot block it.
        let bytes = drain(output[0])
        let message = String(decoding: drain(errors[0]), as: UTF8.self)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            let text = message.split(separator: "\n").first.map(String.init) ?? "exit status \(status)"
            throw Failure.gitFailed("git \(arguments.dropFirst().joined(separator: " ")) failed: \(text)")
        }
        return bytes
    }

    private static func drain(_ descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += buffer[..<count]
            } else if count == 0 || errno != EINTR {
                return bytes
            }
        }
    }
}
