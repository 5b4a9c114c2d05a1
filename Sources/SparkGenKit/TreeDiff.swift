import FoundationEssentials
import SparkEmit

/// Compares a fresh build with an output directory on disk, file by file.
public struct TreeDiff {
    /// The unified diff of every changed, added or removed file (and changes of the executable
    /// bit), in path order.
    public let text: String
    public let changedPaths: [String]

    public var isClean: Bool { changedPaths.isEmpty }

    public init(fresh artifacts: [Artifact], against directory: String) {
        let expected = Dictionary(uniqueKeysWithValues: OutputTree.files(artifacts).map { ($0.path, $0) })
        let onDisk = Self.read(directory)
        var text = ""
        var changed: [String] = []
        for path in Set(expected.keys).union(onDisk.keys).sorted() {
            let new = expected[path], old = onDisk[path]
            let diff = UnifiedDiff.diff(
                old: old?.contents ?? "", new: new?.contents ?? "",
                oldName: old == nil ? "/dev/null" : "a/\(path)", newName: new == nil ? "/dev/null" : "b/\(path)")
            var entry = diff
            if old == nil && new?.contents.isEmpty == true || new == nil && old?.contents.isEmpty == true {
                entry = "\(new == nil ? "only on disk" : "missing on disk"): \(path)\n"
            }
            // Only the executable bit: it is all git records, so a committed tree carries no more.
            if let old, let new, (old.mode & 0o111 != 0) != (new.mode.rawValue & 0o111 != 0) {
                entry = "mode of \(path): \(String(old.mode, radix: 8)) on disk, \(String(new.mode.rawValue, radix: 8)) in the build\n" + entry
            }
            if !entry.isEmpty {
                text += entry
                changed.append(path)
            }
        }
        self.text = text
        self.changedPaths = changed
    }

    private struct DiskFile {
        let contents: String
        let mode: UInt16
    }

    /// Every regular file under `directory` by relative path; an absent directory is empty.
    private static func read(_ directory: String) -> [String: DiskFile] {
        var files: [String: DiskFile] = [:]
        for path in FileSystem.regularFiles(under: directory) {
            let full = "\(directory)/\(path)"
            guard let data = FileManager.default.contents(atPath: full), let mode = FileSystem.mode(full) else { continue }
            files[path] = DiskFile(contents: String(decoding: data, as: UTF8.self), mode: mode)
        }
        return files
    }
}
