import Foundation
import SparkEmit
import SparkGenKit
import SparkTestSupport
import Testing

/// Output grows with the fleet linearly, by size, not time: a node's files depend on its cluster
/// and callers, never on how many other nodes share its links (timings live in bench/fleet.sh).
@Suite struct FleetSizeTests {
    private static func artifacts(pairs: Int, shared: Bool) throws -> [Artifact] {
        let generated = CommandRunner.tool("python3", [Fixtures.repositoryRoot + "/bench/make-fleet.py", String(pairs)] + (shared ? ["--shared"] : []))
        #expect(generated.status == 0, "\(generated.stderr)")
        let compilation = Compilation.run(bytes: Array(generated.stdout.utf8), file: "fleet.yaml")
        return try #require(compilation.artifacts, "\(compilation.diagnostics.filter { $0.severity == .error }.prefix(3).map(\.oneLine))")
    }

    /// 200 nodes on one shared fabric against 20, and pairs on links of their own. Ten times is
    /// enough to tell linear from quadratic growth; the 2,000-node fleet took a fifth of the
    /// unit tests' CPU time, and bench/fleet.sh measures fleets up to 20,000 nodes.
    @Test(arguments: [(true, 10), (false, 10)])
    func tenTimesThePairsIsTenTimesTheOutput(shared: Bool, pairs: Int) throws {
        let small = try Self.artifacts(pairs: pairs, shared: shared), large = try Self.artifacts(pairs: pairs * 10, shared: shared)
        func largestNodeFile(_ artifacts: [Artifact]) -> Int { artifacts.filter { $0.path.hasPrefix("nodes/") }.map(\.contents.utf8.count).max() ?? 0 }
        func total(_ artifacts: [Artifact]) -> Int { artifacts.map(\.contents.utf8.count).reduce(0, +) }
        // Every pair is alike, so a node's largest file is the same size in both fleets, but for
        // longer names and addresses (n999a, 10.0.7.209).
        #expect(Double(largestNodeFile(large)) <= Double(largestNodeFile(small)) * 1.02, "\(largestNodeFile(small)) → \(largestNodeFile(large)) bytes")
        // The stack's own files (README.md, ansible/) are one each whatever the fleet; every other
        // file belongs to a node or a tailnet, so ten times the pairs is ten times those.
        func stackFiles(_ artifacts: [Artifact]) -> Int {
            artifacts.filter { artifact in !["nodes/", "tailnets/", "hosts/"].contains { artifact.path.hasPrefix($0) } }.count
        }
        #expect(stackFiles(large) == stackFiles(small))
        #expect(large.count == small.count * 10 - 9 * stackFiles(small), "files: \(small.count) → \(large.count)")
        let ratio = Double(total(large)) / Double(total(small))
        #expect(ratio <= 10.5, "10× the pairs made \(ratio)× the bytes")
    }
}
