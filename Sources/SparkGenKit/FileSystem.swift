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
