import CSystem
import Foundation
import SparkEmit
import SparkGenKit
import SparkTestSupport
import Testing

/// A build killed at any instant leaves a whole tree at the target: the old one or the new one.
@Suite(.serialized) struct InterruptedBuildTests {
    /// A valid topology with `count` nodes, large enough that a build takes a while (about 500
    /// files); `variant` changes every generated file so two builds are told apart. The kills
    /// land at instants scaled to the build's time, so a smaller fleet tests the same; at 120
    /// nodes each of the ten builds cost a CPU-second of the unit tests.
    static func largeTopology(variant: String, count: Int = 40) -> String {
        var text = "version: 1\nstack: {name: big, timezone: \(variant)}\n"
        text += "owners:\n  lab: {tailnet: lab-net, master_key: {file: ~/.lab-key}}\n"
        text += "tailnets:\n  lab-net: {tag: \"tag:lab\", users: [ops@example.com]}\n"
        text += "links:\n  dac: {interface: eth1, subnet: 10.30.0.0/16}\n  mgmt: {subnet: 10.20.0.0/16}\nnodes:\n"
        for index in 1...count {
            text += "  node-\(index):\n    owner: lab\n    user: ops\n    hardware: {memory_gb: 64}\n"
            text += "    mgmt_ip: 10.20.0.\(index)\n    dac_ip: 10.30.0.\(index)\n    apps: [litellm, open-webui, n8n]\n"
        }
        return text + "models: {}\n"
    }

    /// The files a complete build of `text` writes, by path.
    static func expectedTree(_ text: String) throws -> [String: String] {
        let artifacts = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").artifacts)
        return Dictionary(uniqueKeysWithValues: OutputTree.files(artifacts).map { ($0.path, $0.contents) })
    }

    static func read(_ directory: String) -> [String: String] {
        var files: [String: String] = [:]
        for path in FileManager.default.subpaths(atPath: directory) ?? [] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: directory + "/" + path)
            else { continue }
            files[path] = String(decoding: data, as: UTF8.self)
        }
        return files
    }

    @Test func exchangeSwapsTwoDirectories() throws {
        let root = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
            try name.write(toFile: "\(root)/\(name)/id", atomically: true, encoding: .utf8)
        }
        #expect(spark_exchange_paths("\(root)/a", "\(root)/b") == 0, "this file system cannot exchange (errno \(errno))")
        #expect(try String(contentsOfFile: "\(root)/a/id", encoding: .utf8) == "b")
    }

    @Test func killedBuildsLeaveAWholeTree() throws {
        let root = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let variants = ["Europe/Berlin", "Asia/Tokyo"]
        let texts = variants.map { Self.largeTopology(variant: $0) }
        let trees = try texts.map(Self.expectedTree)
        for (index, text) in texts.enumerated() {
            try FileManager.default.createDirectory(atPath: "\(root)/v\(index)", withIntermediateDirectories: true)
            try text.write(toFile: "\(root)/v\(index)/topology.yaml", atomically: true, encoding: .utf8)
        }
        let build = { (index: Int) -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Fixtures.binary)
            process.arguments = ["build", "\(root)/v\(index)/topology.yaml", "-o", "\(root)/out"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            return process
        }
        let first = build(0)
        let started = Date()
        try first.run()
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        // Kills land at a random instant within one build's time, however fast builds get.
        let buildTime = UInt32(max(Date().timeIntervalSince(started), 0.01) * 1_000_000)
        var killedMidway = 0
        for attempt in 1...8 {
            let process = build(attempt % 2)
            try process.run()
            usleep(UInt32.random(in: 0...buildTime))
            if process.isRunning { killedMidway += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let onDisk = Self.read("\(root)/out")
            // Compared as booleans: printing two trees of a thousand files helps nobody.
            let whole = onDisk == trees[0] || onDisk == trees[1]
            #expect(whole, "attempt \(attempt): the tree at the target is a mix or incomplete (\(onDisk.count) files)")
        }
        #expect(killedMidway > 0, "no build was still running when killed; the test proved nothing")
        let last = build(1)
        try last.run()
        last.waitUntilExit()
        let final = Self.read("\(root)/out") == trees[1]
        #expect(final)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix(".out.spark-gen-") }
        #expect(leftovers.isEmpty, "killed builds left \(leftovers)")
    }
}
