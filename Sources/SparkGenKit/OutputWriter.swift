import CSystem
import FoundationEssentials
import SparkEmit
import SparkPlan

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
        _ = try write(to: directory) { add in
            for artifact in artifacts { try add(artifact) }
        }
    }

    /// Writes every artifact of `plan`, each as its emitter makes it; returns how many.
    public func write(_ plan: Plan, to directory: String) throws -> Int {
        try write(to: directory) { add in
            do {
                let threads = ParallelJobs.threads
                // glibc gives a second thread an arena of its own, and memory one thread frees
                // the other does not reuse: the 1000-pair `all` build peaked at 226-243 MB on two
                // threads against 189 MB on one; one arena (MALLOC_ARENA_MAX=1) held it at
                // 199-204 MB. Each thread keeps its own cache of small blocks (tcache), so the
                // arena's lock is seldom contended.
                if threads > 1 { spark_one_malloc_arena() }
                try ArtifactEmitter.emit(plan, threads: threads, into: add)
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure(description: "internal error while writing artifacts: \(error); please report this with the topology")
            }
        }
    }

    /// Writes the files `produce` hands to its argument, each into the staging tree as it comes,
    /// then swaps the tree into place; returns how many files it was given. A fleet's tree is
    /// hundreds of megabytes, so no file's bytes are kept once written. `produce` may call its
    /// argument from two threads at once. When `produce` throws,
    /// or a file cannot be written, the staging tree is removed and the target stays as it was.
    public func write(to directory: String, _ produce: ((Artifact) throws -> Void) throws -> Void) throws -> Int {
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
        FileSystem.removeTree(staging)
        do {
            try fileManager.createDirectory(atPath: staging, withIntermediateDirectories: false)
            // Each directory is made once and each file with one open, write and close, relative to
            // the staging directory: a fleet's tree has tens of thousands of files, and per-file
            // overhead (path lookups, system calls) is much of a build.
            let root = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard root >= 0 else { throw Failure(description: "cannot open the directory \(staging)") }
            defer { close(root) }
            let mask = Self.umask()
            var made: Set<String> = ["."]
            var count = 0
            // The directories made and the count are shared by the emitting threads; each file
            // is written by the thread that made it, outside the lock.
            let lock = ThreadLock()
            func add(_ file: Artifact, counted: Bool) throws {
                guard OutputTree.isContained(file.path) else {
                    throw Failure(description: "refusing to write '\(file.path)': it would land outside \(directory)")
                }
                try lock.locked {
                    try Self.makeDirectory(Self.parent(of: file.path), in: root, made: &made, staging: staging)
                    if counted { count += 1 }
                }
                try Self.writeFile(file.path, in: root, file.contents, mode: mode_t(file.mode.rawValue), umask: mask, staging: staging)
            }
            try add(OutputTree.marker, counted: false)
            try produce { try add($0, counted: true) }
            if FileSystem.kind(target) != .missing, spark_exchange_paths(staging, target) == 0 {
                // The staging path now holds the old tree.
                FileSystem.removeTree(staging)
            } else if FileSystem.kind(target) != .missing {
                guard rename(target, retired) == 0 else { throw Failure(description: "cannot move the old \(target) aside") }
                guard rename(staging, target) == 0 else {
                    _ = rename(retired, target)
                    throw Failure(description: "cannot move the new tree into \(target)")
                }
                FileSystem.removeTree(retired)
            } else {
                guard rename(staging, target) == 0 else { throw Failure(description: "cannot move the new tree into \(target)") }
            }
            return count
        } catch {
            FileSystem.removeTree(staging)
            throw error
        }
    }

    /// The process's umask, read once per tree: reading it means setting it and restoring it.
    private static func umask() -> mode_t {
        let mask = Glibc.umask(0)
        Glibc.umask(mask)
        return mask
    }

    /// Makes `path` (relative to `root`) and its missing parents, remembering what exists.
    private static func makeDirectory(_ path: String, in root: Int32, made: inout Set<String>, staging: String) throws {
        guard !made.contains(path) else { return }
        try makeDirectory(parent(of: path), in: root, made: &made, staging: staging)
        guard mkdirat(root, path, 0o755) == 0 || errno == EEXIST else {
            throw Failure(description: "cannot create the directory \(staging)/\(path)")
        }
        made.insert(path)
    }

    /// Writes a new file at `path` (relative to `root`) with exactly `mode`: `open` gives it when
    /// the umask clears none of its bits (the usual 022 clears none), `fchmod` otherwise.
    private static func writeFile(_ path: String, in root: Int32, _ contents: String, mode: mode_t, umask: mode_t, staging: String) throws {
        let descriptor = openat(root, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(staging)/\(path)") }
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
        guard written else { throw Failure(description: "cannot write \(staging)/\(path)") }
        guard mode & umask == 0 || fchmod(descriptor, mode) == 0 else { throw Failure(description: "cannot set the mode of \(staging)/\(path)") }
    }

    /// Removes staging and retired trees of `name` whose build process no longer runs.
    private func removeLeftovers(of name: String, in parent: String) {
        let prefixes = [".\(name).spark-gen-new-", ".\(name).spark-gen-old-"]
        for entry in (try? fileManager.contentsOfDirectory(atPath: parent)) ?? [] {
            guard let prefix = prefixes.first(where: { entry.hasPrefix($0) }), let pid = Int32(entry.dropFirst(prefix.count)),
                pid != getpid(), kill(pid, 0) == -1, errno == ESRCH
            else { continue }
            FileSystem.removeTree("\(parent)/\(entry)")
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
