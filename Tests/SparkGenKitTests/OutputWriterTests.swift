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

    /// Files are written as they are made: a build that fails after some of them were written
    /// still leaves the old tree whole and nothing beside it.
    @Test func aProducerFailingMidwayLeavesTheOldTreeUntouched() throws {
        struct Midway: Error {}
        let root = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/stack"
        try OutputWriter().write(files, to: target)
        var handed = 0
        #expect(throws: Midway.self) {
            _ = try OutputWriter().write(to: target) { add in
                try add(Artifact(path: "a/config.yaml", contents: "two: 2\n"))
                try add(Artifact(path: "b/new.txt", contents: "new\n"))
                handed = 2
                throw Midway()
            }
        }
        #expect(handed == 2, "the producer never got to write")
        #expect(read(target + "/a/config.yaml") == "one: 1\n")
        #expect(read(target + "/b/new.txt") == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["stack"])
    }

    /// The streaming write counts what it was given, the marker aside.
    @Test func streamingWriteCountsTheFilesItWasGiven() throws {
        let root = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let count = try OutputWriter().write(to: root + "/stack") { add in
            for file in files { try add(file) }
        }
        #expect(count == files.count)
        #expect(read(root + "/stack/a/run.sh") == "#!/bin/sh\n")
        #expect(read(root + "/stack/\(OutputTree.markerName)") != nil)
    }

    /// The old tree is removed whole, however deep, and a link in it is removed, never followed.
    @Test func rebuildRemovesTheOldTreeButNotWhatItsLinksPointTo() throws {
        let root = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/stack"
        try FileManager.default.createDirectory(atPath: root + "/outside", withIntermediateDirectories: false)
        try "keep\n".write(toFile: root + "/outside/keep.txt", atomically: true, encoding: .utf8)
        try OutputWriter().write(files + [Artifact(path: "d/e/f/g/h.txt", contents: "h\n")], to: target)
        try FileManager.default.createSymbolicLink(atPath: target + "/d/e/link", withDestinationPath: root + "/outside")
        try OutputWriter().write([Artifact(path: "b.txt", contents: "b\n")], to: target)
        #expect(read(root + "/outside/keep.txt") == "keep\n", "removing the old tree followed a link")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted() == [OutputTree.markerName, "b.txt"].sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["outside", "stack"])
    }

    @Test(arguments: [
        ("a", true), ("a/b.txt", true), (".hidden/x", true), ("a/...", true), ("a/.b", true),
        ("", false), ("/a", false), ("a/", false), ("a//b", false), ("./a", false), ("a/./b", false),
        ("..", false), ("a/../b", false), ("a/..", false),
    ])
    func containedPaths(_ path: String, _ contained: Bool) {
        #expect(OutputTree.isContained(path) == contained)
    }

    @Test(arguments: [".", "..", "/", "out/.."])
    func refusesUnnamedTargets(_ target: String) {
        #expect(throws: OutputWriter.Failure.self) { try OutputWriter().write(files, to: target) }
    }
}
