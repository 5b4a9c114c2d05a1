import Foundation

/// An example built by the spark-gen binary into a scratch directory, with the intent
/// `spark-gen trust --format json` derives, for tests that check (or break) generated files.
public struct BuiltExample {
    public let root: String
    public var tree: String { root + "/tree" }
    public var intent: String { root + "/intent.json" }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ name: String) throws {
        root = Fixtures.temporaryDirectory(named: name)
        let topology = Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml"
        let build = CommandRunner.run(Fixtures.binary, ["build", topology, "-o", root + "/tree"])
        guard build.status == 0 else { throw Failure(description: "spark-gen build \(name) failed: \(build.stderr)") }
        let trust = CommandRunner.run(Fixtures.binary, ["trust", topology, "--format", "json"])
        guard trust.status == 0 else { throw Failure(description: "spark-gen trust \(name) failed: \(trust.stderr)") }
        try trust.stdout.write(toFile: root + "/intent.json", atomically: true, encoding: .utf8)
    }

    /// Replaces `old` with `new` in one generated file; an edit that changes nothing is an error.
    public func edit(_ file: String, replacing old: String, with new: String) throws {
        let path = tree + "/" + file
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let changed = text.replacingOccurrences(of: old, with: new)
        guard changed != text else { throw Failure(description: "the edit of \(file) changed nothing: \(old)") }
        // An atomic write makes a new file with the default mode: keep the script's execute bits,
        // or a broken script fails by "Permission denied" instead of by what the edit broke.
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]
        try changed.write(toFile: path, atomically: true, encoding: .utf8)
        if let permissions { try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: path) }
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
