import Foundation
import SparkSpec
import SparkTestSupport
import Testing

@testable import SparkPlan

/// No emitter names an app (architecture.md): a sentence about LiteLLM, NGINX, Redis, a
/// database or a NIM comes from the kind or planner that owns it. The runbook and verify
/// emitters are scanned for the words every kind declares it is named by (`AppKind.names`).
@Suite struct EmitterAppNameTests {
    /// The emitters that render every app alike.
    static let scanned = ["RunbookEmitter", "VerifyEmitter"]

    static var appNames: [String] { Array(Set(App.allCases.flatMap(AppKinds.names))).sorted() }

    /// Each line of `file` outside full-line comments that holds one of `names`, as "file:line: name".
    static func mentions(in path: String, of names: [String]) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var found: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
            for name in names where line.contains(name) {
                found.append("\((path as NSString).lastPathComponent):\(index + 1): \(name)")
            }
        }
        return found
    }

    static func emitterFiles() throws -> [String] {
        let folder = Fixtures.repositoryRoot + "/Sources/SparkEmit"
        return try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { name in name.hasSuffix(".swift") && scanned.contains { name == "\($0).swift" || name.hasPrefix("\($0)+") } }
            .sorted().map { folder + "/" + $0 }
    }

    @Test func theRunbookAndVerifyEmittersNameNoApp() throws {
        let files = try Self.emitterFiles()
        #expect(files.count > 10, "\(files)")
        let found = try files.flatMap { try Self.mentions(in: $0, of: Self.appNames) }
        #expect(found.isEmpty, "move these sentences to the app's kind or planner: \(found)")
    }

    /// The scan finds what it looks for: the gateway's own differences name it, NGINX and Redis.
    @Test func theScanFindsAppNamesWhereTheyBelong() throws {
        #expect(Self.appNames.contains("LiteLLM") && Self.appNames.contains("NIM"))
        let owner = Fixtures.repositoryRoot + "/Sources/SparkEmit/GatewayDifferences.swift"
        let found = try Self.mentions(in: owner, of: Self.appNames)
        for name in ["LiteLLM", "NGINX", "Redis", "PostgreSQL"] {
            #expect(found.contains { $0.hasSuffix(": " + name) }, "\(name) in \(found)")
        }
    }
}
