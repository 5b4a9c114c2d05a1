import Foundation
import SparkEmit
import SparkGenKit
import SparkTestSupport
import Testing

@Suite struct OutputWriterTests {
    private let files = [
        Artifact(path: "a/config.yaml", contents: "one: 1\n"),
        Artifact(path: "a/run.sh", contents: "#!/bin/sh\n", mode: .executable),
    ]

    private func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    private func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? nil
    }

    @Test func writesFilesWithModesAndTheMarker() throws {
        let root = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try OutputWriter().write(files, to: root + "/out/stack")
        #expect(read(root + "/out/stack/a/config.yaml") == "one: 1\n")
        #expect(mode(root + "/out/stack/a/run.sh") == 0o755)
        #expect(mode(root + "/out/stack/a/config.yaml") == 0o644)
        #expect(read(root + "/out/stack/\(OutputTree.markerName)") != nil)
        // Nothing is left beside the tree.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/out") == ["stack"])
    }

    @Test func rebuildReplacesTheWholeTree() throws {
        let root = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/stack"
        try OutputWriter().write(files, to: target)
        try OutputWriter().write([Artifact(path: "b.txt", contents: "b\n")], to: target)
        #expect(read(target + "/b.txt") == "b\n")
        #expect(read(target + "/a/config.yaml") == nil, "a file of the old build survived")
    }

    @Test func refusesToReplaceADirectoryItDidNotWrite() throws {
        let root = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "precious\n".write(toFile: root + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(throws: OutputWriter.Failure.self) { try OutputWriter().write(files, to: root) }
        #expect(read(root + "/notes.txt") == "precious\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["notes.txt"])
    }

    @Test func aFailedWriteLeavesTheOldTreeUntouched() throws {
        let root = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/stack"
        try OutputWriter().write(files, to: target)
        let escaping = files + [Artifact(path: "../escape.txt", contents: "x\n")]
        #expect(throws: OutputWriter.Failure.self) { try OutputWriter().write(escaping, to: target) }
        #expect(read(target + "/a/config.yaml") == "one: 1\n")
        #expect(read(root + "/escape.txt") == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["stack"])
    }

    @Test(arguments: [".", "..", "/", "out/.."])
    func refusesUnnamedTargets(_ target: String) {
        #expect(throws: OutputWriter.Failure.self) { try OutputWriter().write(files, to: target) }
    }
}
