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

    /// The files of Sources/SparkEmit that belong to the gateway (LiteLLM, its TLS front, its
    /// unit, its config, its checks and notes): these may name it. Every other file, a new one
    /// too, is scanned for app names in its string literals (`otherFilesNameNoAppInTheirText`).
    static let gatewayFiles: Set<String> = [
        "ClientAccessNote", "CompletionCheck", "GatewayChecks", "GatewayDifferences", "GatewayRoutingNote", "GatewayStep",
        "LiteLLMConfigEmitter", "LiteLLMReach", "LiteLLMWait", "NginxEmitter", "RoutingPolicyEmitter", "SmokeEmitter",
        "SystemdEmitter",
    ]

    /// The text of `source`'s string literals, line by line (1-based), without interpolations
    /// (code, which may name a kind's type) or comments: the sentences a file writes.
    static func literalText(of source: String) -> [(line: Int, text: String)] {
        var result: [(line: Int, text: String)] = []
        var inLiteral = false
        var multiLine = false
        for (index, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let chars = Array(line)
            var text = ""
            var i = 0
            if inLiteral && !multiLine { inLiteral = false }
            while i < chars.count {
                let c = chars[i]
                let tripleQuote = i + 2 < chars.count && chars[i] == "\"" && chars[i + 1] == "\"" && chars[i + 2] == "\""
                if !inLiteral {
                    if c == "/" && i + 1 < chars.count && chars[i + 1] == "/" { break }
                    if tripleQuote {
                        inLiteral = true
                        multiLine = true
                        i += 3
                        continue
                    }
                    if c == "\"" { inLiteral = true }
                    i += 1
                    continue
                }
                if c == "\\" && i + 1 < chars.count && chars[i + 1] == "(" {
                    // Skip the interpolation up to its closing parenthesis.
                    var depth = 0
                    i += 1
                    while i < chars.count {
                        if chars[i] == "(" { depth += 1 } else if chars[i] == ")" { depth -= 1 }
                        i += 1
                        if depth == 0 { break }
                    }
                    text += " "
                    continue
                }
                if c == "\\" {
                    i += 2
                    continue
                }
                if multiLine ? tripleQuote : c == "\"" {
                    inLiteral = false
                    i += multiLine ? 3 : 1
                    multiLine = false
                    text += " "
                    continue
                }
                text.append(c)
                i += 1
            }
            if inLiteral && multiLine { text += " " }
            if !text.isEmpty { result.append((index + 1, text)) }
        }
        return result
    }

    /// Each line of `path` whose string literals hold one of `names`, as "file:line: name".
    static func literalMentions(in path: String, of names: [String]) throws -> [String] {
        let source = try String(contentsOfFile: path, encoding: .utf8)
        return literalText(of: source).flatMap { line, text in
            names.filter { text.contains($0) }.map { "\((path as NSString).lastPathComponent):\(line): \($0)" }
        }
    }

    /// The files of Sources/SparkEmit that are neither scanned whole nor the gateway's.
    static func otherFiles() throws -> [String] {
        let folder = Fixtures.repositoryRoot + "/Sources/SparkEmit"
        let whole = Set(try emitterFiles())
        return try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".swift") && !gatewayFiles.contains(String($0.dropLast(6))) }
            .sorted().map { folder + "/" + $0 }.filter { !whole.contains($0) }
    }

    /// Runbook contributors and the other emitters (secret hand-over, the migration from the
    /// hand-made stack, Ansible's notes) write no app's name: the kind or the gateway owns it.
    @Test func otherFilesNameNoAppInTheirText() throws {
        let files = try Self.otherFiles()
        #expect(files.contains { $0.hasSuffix("/GuideMigration.swift") } && files.contains { $0.hasSuffix("/SecretHandover.swift") })
        let found = try files.flatMap { try Self.literalMentions(in: $0, of: Self.appNames) }
        #expect(found.isEmpty, "move these sentences to the app's kind or the gateway's files: \(found)")
    }

    /// The literal scan sees a sentence, also across a multi-line literal, and not the code
    /// around it or in an interpolation.
    @Test func theLiteralScanReadsSentencesOnly() {
        let source = """
            let a = LiteLLMPlan.port // LiteLLM
            let b = "the \\(LiteLLMPlan.name) step" + "Open WebUI keeps"
            let c = \"\"\"
                Redis binds
                \"\"\"
            """
        let found = Self.literalText(of: source).map { "\($0.line):" + Self.appNames.filter($0.text.contains).joined(separator: ",") }
        #expect(found == ["2:Open WebUI", "3:", "4:Redis", "5:"], "\(found)")
    }

    @Test func theRunbookAndVerifyEmittersNameNoApp() throws {
        let files = try Self.emitterFiles()
        #expect(files.count > 10, "\(files)")
        let found = try files.flatMap { try Self.mentions(in: $0, of: Self.appNames) }
        #expect(found.isEmpty, "move these sentences to the app's kind or planner: \(found)")
    }

    /// The reports of SparkGenKit that say who reads and reaches what (`spark-gen trust`, its
    /// offers section, `spark-gen review`): they take an app's name from its kind (`App.proseName`).
    static let reports = ["TrustReport", "OfferReport", "AccessReview"]

    static func reportFiles() throws -> [String] {
        let folder = Fixtures.repositoryRoot + "/Sources/SparkGenKit"
        return try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { name in name.hasSuffix(".swift") && reports.contains { name.hasPrefix($0) } }
            .sorted().map { folder + "/" + $0 }
    }

    @Test func theTrustAndReviewReportsNameNoAppInTheirText() throws {
        let files = try Self.reportFiles()
        #expect(files.count >= Self.reports.count, "\(files)")
        let found = try files.flatMap { try Self.literalMentions(in: $0, of: Self.appNames) }
        #expect(found.isEmpty, "take these names from the app's kind (App.proseName): \(found)")
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
