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
