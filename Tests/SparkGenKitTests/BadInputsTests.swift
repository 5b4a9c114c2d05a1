import Foundation
import SparkTestSupport
import Testing

/// The bad-input corpus (Tests/BadInputs, written by make_corpus.py): every hostile or broken
/// topology gets its recorded exit code and first diagnostic line, positioned as file:line:col,
/// with no crash, no backtrace and nothing written.
@Suite struct BadInputsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let file: String
        let status: Int32
        let firstLine: String
        var testDescription: String { file }
    }

    static let cases: [Case] = {
        let manifest = (try? String(contentsOfFile: Fixtures.repositoryRoot + "/Tests/BadInputs/expected.tsv", encoding: .utf8)) ?? ""
        return manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, let status = Int32(fields[1]) else { return nil }
            return Case(file: fields[0], status: status, firstLine: fields[2])
        }
    }()

    /// Runs `build` from the repository root on `relativePath`, into a scratch directory.
    static func build(_ relativePath: String, format: [String] = []) -> (result: CommandResult, wrote: Bool) {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = CommandRunner.run(Fixtures.binary, ["build", relativePath, "-o", scratch + "/out"] + format, in: Fixtures.repositoryRoot)
        return (result, FileManager.default.fileExists(atPath: scratch + "/out"))
    }

    @Test func corpusHasAtLeastAHundredCasesAndEveryFileIsListed() throws {
        #expect(Self.cases.count >= 100)
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.repositoryRoot + "/Tests/BadInputs").filter { $0.hasSuffix(".yaml") }
        #expect(Set(files) == Set(Self.cases.map(\.file)), "expected.tsv and the corpus disagree: run make_corpus.py --record")
    }

    @Test(arguments: cases)
    func everyBadInputFailsCleanly(_ item: Case) {
        let (result, wrote) = Self.build("Tests/BadInputs/" + item.file)
        #expect(result.status == item.status, "\(item.file): \(result.stderr)")
        #expect([1, 2].contains(result.status), "\(item.file) was accepted")
        let first = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        #expect(first == item.firstLine, "\(item.file)")
        #expect(first.contains(#/^Tests/BadInputs/[^:]+\.yaml:\d+:\d+: (error|warning)/#), "\(item.file): not positioned: \(first)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrace") && !result.stderr.contains("Crash"), "\(item.file)")
        #expect(!wrote, "\(item.file): a failed build wrote output")
    }

    @Test(arguments: ["literal-master-key.yaml", "literal-db-password.yaml"], [[], ["--format", "json"], ["--format", "sarif"], ["--format", "github"]])
    func literalSecretsAreNeverPrinted(_ file: String, _ format: [String]) {
        let (result, _) = Self.build("Tests/BadInputs/" + file, format: format)
        #expect(result.status == 1)
        for secret in ["sk-live-0123456789abcdef", "hunter2hunter2"] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(file) \(format) printed the secret")
        }
    }

    /// Inputs too large to commit, generated here.
    @Test(arguments: ["ten-megabyte-scalar", "deep-nesting", "billion-laughs"])
    func giantInputsFailQuicklyAndBriefly(_ kind: String) throws {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var text: String
        switch kind {
        case "ten-megabyte-scalar":
            text = "version: 1\nstack: {name: \"" + String(repeating: "a", count: 10_000_000) + "\"}\n"
        case "deep-nesting":
            text = "version: 1\nstack: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
        default:
            text = "lol0: &lol0 [lol]\n"
            for level in 1...9 { text += "lol\(level): &lol\(level) [" + Array(repeating: "*lol\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        }
        try text.write(toFile: scratch + "/topology.yaml", atomically: true, encoding: .utf8)
        let result = CommandRunner.run(Fixtures.binary, ["build", "topology.yaml", "-o", scratch + "/out"], in: scratch)
        #expect(result.status == 2, "\(kind)")
        #expect(result.stderr.hasPrefix("topology.yaml:"), "\(kind): \(result.stderr.prefix(300))")
        #expect(result.stderr.utf8.count < 4_000, "\(kind): the diagnostic echoes the input (\(result.stderr.utf8.count) bytes)")
        #expect(!FileManager.default.fileExists(atPath: scratch + "/out"))
    }
}
