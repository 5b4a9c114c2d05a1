import Foundation

/// Paths and texts the tests share: the repository root, the example topology.
public enum Fixtures {
    public static let repositoryRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/SparkTestSupport/Fixtures.swift
        return parts.joined(separator: "/")
    }()

    public static let splitTrustPath = repositoryRoot + "/examples/split-trust/topology.yaml"

    public static var splitTrust: String {
        String(decoding: FileManager.default.contents(atPath: splitTrustPath)!, as: UTF8.self)
    }

    /// The example with `old` replaced by `new`; fails loudly if `old` is not in it.
    public static func splitTrust(replacing old: String, with new: String) -> String {
        let text = splitTrust
        precondition(text.contains(old), "fixture text not found: \(old)")
        return text.replacingOccurrences(of: old, with: new)
    }
}

extension String {
    /// The 1-based line number of the first line containing `text`.
    public func line(containing text: String) -> Int {
        split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(text) }! + 1
    }
}

extension Fixtures {
    /// Every example topology, `examples/<name>/topology.yaml`, by name.
    public static var examples: [(name: String, path: String)] {
        let directory = repositoryRoot + "/examples"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().compactMap { name in
            let path = "\(directory)/\(name)/topology.yaml"
            return FileManager.default.fileExists(atPath: path) ? (name, path) : nil
        }
    }

    /// The built `spark-gen` binary: beside the test bundle, or where SPARK_GEN_BIN says.
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["SPARK_GEN_BIN"] { return path }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var parts = executable.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        return parts.joined(separator: "/") + "/spark-gen"
    }

    /// A new empty directory under the system temporary directory, named after this test
    /// process and `named` (an example's name, so a proof's arguments say which example they
    /// prove: ProofCost). Every one is removed when the process exits, so a test need not
    /// remove its own (a test that fails half-way leaves nothing behind), and the ones of a
    /// process that no longer runs (killed before its exit) are removed when the next one
    /// starts. The name stays short: proofs put Unix sockets (108 bytes at most) inside.
    public static func temporaryDirectory(named name: String = "") -> String {
        let path = "/tmp/" + scratchPrefix + (name.isEmpty ? "" : name + "-") + String(UInt32.random(in: 0...UInt32.max))
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `spark-gen-test-<pid>-`, after the leftovers of dead test processes are gone and the
    /// removal of this process's directories at its exit is arranged.
    public static let scratchPrefix: String = {
        let stem = "spark-gen-test-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where name.hasPrefix(stem) {
            let pid = name.dropFirst(stem.count).prefix { $0 != "-" }
            if let pid = Int32(pid), kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: "/tmp/" + name)
            }
        }
        atexit {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where name.hasPrefix(Fixtures.ownPrefix) {
                try? FileManager.default.removeItem(atPath: "/tmp/" + name)
            }
        }
        return ownPrefix
    }()

    private static let ownPrefix = "spark-gen-test-\(getpid())-"
}
