import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// The few file-system questions spark-gen asks, answered with lstat so links are never followed.
enum FileSystem {
    enum Kind {
        case missing, file, directory, other
    }

    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    static func mode(_ path: String) -> UInt16? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return UInt16(info.st_mode & 0o7777)
    }

    /// The whole contents of a file, a pipe included (`spark-gen lint <(git show HEAD:topology.yaml)`),
    /// or nil when it cannot be opened or read (a directory, say).
    static func contents(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            bytes += buffer[..<count]
        }
    }

    /// Removes `path` and everything below it, not following links (a link is removed, not its
    /// target); best effort, what cannot be removed stays. Replacing a fleet's tree removes tens
    /// of thousands of files, and FileManager's per-file work was a third of the cost of that.
    static func removeTree(_ path: String) {
        if unlink(path) != 0 && errno == EISDIR { _ = removeDirectory(path, in: AT_FDCWD) }
    }

    /// Removes the directory `name` of `parent` and what is in it. POSIX leaves unspecified
    /// whether a listing sees entries removed while it is read, so a directory that is not yet
    /// empty is listed again (a few times at most).
    private static func removeDirectory(_ name: UnsafePointer<CChar>, in parent: Int32) -> Bool {
        for _ in 0..<3 {
            let directory = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard directory >= 0, let stream = fdopendir(directory) else {
                if directory >= 0 { close(directory) }
                return false
            }
            while let entry = readdir(stream) {
                let isDirectory = entry.pointee.d_type == DT_DIR
                withUnsafePointer(to: &entry.pointee.d_name) { name in
                    name.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { name in
                        removeEntry(name, in: directory, isDirectory: isDirectory)
                    }
                }
            }
            closedir(stream)
            if unlinkat(parent, name, AT_REMOVEDIR) == 0 { return true }
            guard errno == ENOTEMPTY else { return false }
        }
        return false
    }

    /// Removes the entry `name` of `directory`, a file or a directory with what is in it.
    private static func removeEntry(_ name: UnsafePointer<CChar>, in directory: Int32, isDirectory: Bool) {
        if name[0] == 0x2E && (name[1] == 0 || (name[1] == 0x2E && name[2] == 0)) { return }
        if !isDirectory && (unlinkat(directory, name, 0) == 0 || errno != EISDIR) { return }
        _ = removeDirectory(name, in: directory)
    }

    /// Relative paths of the regular files below `directory`, not following links.
    static func regularFiles(under directory: String) -> [String] {
        var result: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let full = relative.isEmpty ? directory : "\(directory)/\(relative)"
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: full) else { continue }
            for entry in entries {
                let child = relative.isEmpty ? entry : "\(relative)/\(entry)"
                switch kind("\(directory)/\(child)") {
                case .file: result.append(child)
                case .directory: pending.append(child)
                case .missing, .other: break
                }
            }
        }
        return result.sorted()
    }
}
