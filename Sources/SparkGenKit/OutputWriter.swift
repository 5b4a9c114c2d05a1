import CSystem
import FoundationEssentials
import SparkEmit

#if canImport(Glibc)
    import Glibc
#endif

/// Writes an output tree so that a reader sees either the old tree or the new one, never a mix.
///
/// The new tree is written into a hidden sibling directory and exchanged with the old one in
/// one atomic renameat2 call, so even a build killed at any instant leaves a whole tree at the
/// target (file systems that cannot exchange fall back to two renames). spark-gen never
/// replaces a directory it did not create, and removes what killed builds left beside it.
public struct OutputWriter {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let fileManager = FileManager.default

    public init() {}

    public func write(_ artifacts: [Artifact], to directory: String) throws {
        let files = OutputTree.files(artifacts)
        for file in files where !OutputTree.isContained(file.path) {
            throw Failure(description: "refusing to write '\(file.path)': it would land outside \(directory)")
        }
        let target = Self.trimmed(directory)
        guard target != "/", ![".", ".."].contains(Self.baseName(target)) else {
            throw Failure(description: "refusing to replace '\(directory)': name a directory of its own, such as out/my-stack")
        }
        try checkReplaceable(target)
        let parent = Self.parent(of: target)
        try fileManager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let name = Self.baseName(target)
        let staging = "\(parent)/.\(name).spark-gen-new-\(getpid())"
        let retired = "\(parent)/.\(name).spark-gen-old-\(getpid())"
        removeLeftovers(of: name, in: parent)
        try? fileManager.removeItem(atPath: staging)
        do {
            try fileManager.createDirectory(atPath: staging, withIntermediateDirectories: false)
            // Each directory is made once and each file with one open, write and close: a fleet's
            // tree has hundreds of thousands of files, and per-file overhead is most of a build.
            var made: Set<String> = [staging]
            for file in files {
                let path = "\(staging)/\(file.path)"
                try Self.makeDirectory(Self.parent(of: path), made: &made)
                try Self.writeFile(path, file.contents, mode: mode_t(file.mode.rawValue))
            }
            if FileSystem.kind(target) != .missing, spark_exchange_paths(staging, target) == 0 {
                // The staging path now holds the old tree.
                try? fileManager.removeItem(atPath: staging)
            } else if FileSystem.kind(target) != .missing {
                guard rename(target, retired) == 0 else { throw Failure(description: "cannot move the old \(target) aside") }
                guard rename(staging, target) == 0 else {
                    _ = rename(retired, target)
                    throw Failure(description: "cannot move the new tree into \(target)")
                }
                try? fileManager.removeItem(atPath: retired)
            } else {
                guard rename(staging, target) == 0 else { throw Failure(description: "cannot move the new tree into \(target)") }
            }
        } catch {
            try? fileManager.removeItem(atPath: staging)
            throw error
        }
    }

    /// Removes staging and retired trees of `name` whose build process no longer runs.
    /// Makes `path` and its missing parents, remembering what exists.
    private static func makeDirectory(_ path: String, made: inout Set<String>) throws {
        guard !made.contains(path) else { return }
        try makeDirectory(parent(of: path), made: &made)
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw Failure(description: "cannot create the directory \(path)") }
        made.insert(path)
    }

    /// Writes a new file with exactly `mode` (whatever the umask).
    private static func writeFile(_ path: String, _ contents: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(path)") }
        defer { close(descriptor) }
        var contents = contents
        let written = contents.withUTF8 { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        guard written else { throw Failure(description: "cannot write \(path)") }
        guard fchmod(descriptor, mode) == 0 else { throw Failure(description: "cannot set the mode of \(path)") }
    }

    private func removeLeftovers(of name: String, in parent: String) {
        let prefixes = [".\(name).spark-gen-new-", ".\(name).spark-gen-old-"]
        for entry in (try? fileManager.contentsOfDirectory(atPath: parent)) ?? [] {
            guard let prefix = prefixes.first(where: { entry.hasPrefix($0) }), let pid = Int32(entry.dropFirst(prefix.count)),
                pid != getpid(), kill(pid, 0) == -1, errno == ESRCH
            else { continue }
            try? fileManager.removeItem(atPath: "\(parent)/\(entry)")
        }
    }

    /// A directory may be replaced when it is absent, empty, or marked as spark-gen's.
    private func checkReplaceable(_ target: String) throws {
        switch FileSystem.kind(target) {
        case .missing: return
        case .directory: break
        case .file, .other: throw Failure(description: "refusing to replace \(target): it is not a directory")
        }
        let entries = (try? fileManager.contentsOfDirectory(atPath: target)) ?? []
        guard entries.isEmpty || entries.contains(OutputTree.markerName) else {
            throw Failure(
                description:
                    "refusing to replace \(target): it is not empty and was not written by spark-gen (no \(OutputTree.markerName) file); choose another -o directory"
            )
        }
    }

    static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
