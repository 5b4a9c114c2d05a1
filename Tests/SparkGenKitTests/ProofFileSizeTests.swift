import Foundation
import SparkTestSupport
import Testing

/// The proofs are read by the next person who has to change one: no Python file under proof/
/// (its packages included) may grow past `limit` lines (issue 27: litellm_check.py had grown
/// to 2,544). A proof that grows splits into modules by what they prove, as
/// proof/litellm_proof/, proof/swap_proof/ and proof/netns_proof/ do.
@Suite struct ProofFileSizeTests {
    static let limit = 800

    /// "path: N lines" for every .py file under `directory` (recursively) longer than `limit`
    /// lines, counted as `wc -l` does; paths relative to `directory`, sorted.
    static func oversized(under directory: String, limit: Int = limit) -> [String] {
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".py") && !$0.contains("__pycache__") }.sorted().compactMap { path in
            guard let data = FileManager.default.contents(atPath: directory + "/" + path) else { return nil }
            let lines = data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            return lines > limit ? "\(path): \(lines) lines" : nil
        }
    }

    @Test func noProofFileIsOverTheLimit() {
        let proof = Fixtures.repositoryRoot + "/proof"
        #expect(FileManager.default.fileExists(atPath: proof + "/litellm_check.py"), "proof/ not found at \(proof)")
        let found = Self.oversized(under: proof)
        #expect(found.isEmpty, "over \(Self.limit) lines; split by what each part proves: \(found)")
    }

    /// The check itself: a file one line past the limit, in a package folder, is found; one at
    /// the limit, and a longer file that is not Python, are not.
    @Test func aFileOneLinePastTheLimitIsFound() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proof-size-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("pkg"), withIntermediateDirectories: true)
        let lines = { (count: Int) in String(repeating: "x = 1\n", count: count) }
        try lines(Self.limit).write(to: directory.appendingPathComponent("at_limit.py"), atomically: true, encoding: .utf8)
        try lines(Self.limit + 1).write(to: directory.appendingPathComponent("pkg/too_long.py"), atomically: true, encoding: .utf8)
        try lines(Self.limit + 1).write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        #expect(Self.oversized(under: directory.path) == ["pkg/too_long.py: \(Self.limit + 1) lines"])
    }
}
