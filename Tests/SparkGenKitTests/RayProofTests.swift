import Foundation
import SparkTestSupport
import Testing

/// Every multi-node Ray cluster of the examples started for real (proof/ray_check.py): the `ray`
/// the generated Dockerfile pins, installed once from PyPI into ~/.cache/spark-gen/ray-venv-system, runs
/// the generated head and worker entrypoints with their launch scripts' environment and token,
/// in network namespaces on the link addresses behind the generated ufw. What `ss` shows Ray
/// bound must be what `spark-gen trust` lists, reached only from where it says, and a worker
/// with a wrong token must not join. About three minutes and 1 GB per cluster.
@Suite struct RayProofTests {
    private func prove(_ tree: String, _ intent: String, _ options: [String] = []) async -> CommandResult {
        await Proof.run("ray_check.py", ["--tree", tree, "--intent", intent] + options, weight: Proof.ray)
    }

    /// The examples whose committed trees start Ray; checked against the trees, so an example
    /// that gains or loses a cluster cannot go unproven.
    static let rayExamples = ["spark-control", "split-trust", "three-node-lab", "two-links"]

    @Test func theRayExamplesAreTheOnesThatStartRay() throws {
        let starting = try Fixtures.examples.map(\.name).filter { name in
            let tree = Fixtures.repositoryRoot + "/out/" + name
            let files = FileManager.default.enumerator(atPath: tree)?.compactMap { $0 as? String } ?? []
            return try files.filter { $0.hasSuffix("-entrypoint.sh") }.contains { file in
                try String(contentsOfFile: tree + "/" + file, encoding: .utf8).contains("ray start")
            }
        }
        #expect(starting.sorted() == Self.rayExamples)
    }

    @Test(arguments: rayExamples)
    func rayBindsWhatTrustSays(_ name: String) async throws {
        let example = try BuiltExample(name)
        defer { example.remove() }
        let result = await prove(example.tree, example.intent)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(" 0 failed"))
        #expect(result.stdout.contains("with a wrong token does not join the head"))
        print(result.stdout)
    }

    /// Two breaks in one run (each run starts Ray, which takes minutes): a worker whose raylet
    /// takes a random port again, and a cluster without token authentication. Neither needs
    /// the firewalls or the probes to show (`--no-reach`: what Ray binds and who joins), and
    /// they were about a quarter of the run's CPU (20.2 CPU-s with them, 15.4 without).
    @Test func anUnpinnedPortAndNoTokenAuthFail() async throws {
        let example = try BuiltExample("split-trust")
        defer { example.remove() }
        let worker = "nodes/spark-02/home/cameron/sparky-ai-stack/scripts/"
        try example.edit(worker + "vllm-worker-entrypoint.sh", replacing: "  --node-manager-port=7379 \\\n", with: "")
        try example.edit(worker + "vllm-worker.sh", replacing: "  -e RAY_AUTH_MODE=token \\\n", with: "")
        try example.edit(
            "nodes/spark-01/home/cameron/sparky-ai-stack/scripts/vllm-head.sh", replacing: "  -e RAY_AUTH_MODE=token \\\n", with: "")
        let result = await prove(example.tree, example.intent, ["--no-reach"])
        #expect(result.status == 1)
        let failures = result.stdout.split(separator: "\n").filter { $0.contains("FAIL") }
        // The raylet's node manager on a port of its own choosing, which trust does not list.
        #expect(
            failures.contains { $0.contains("spark-02: ") && $0.contains("raylet listens on 0.0.0.0:") && $0.contains("trust lists") },
            "\(result.stdout)")
        #expect(failures.contains { $0.contains("spark-02: trust's ray node manager on 0.0.0.0:7379 is bound") }, "\(result.stdout)")
        // Without RAY_AUTH_MODE=token, a worker with any token joins.
        #expect(failures.contains { $0.contains("with a wrong token does not join the head") }, "\(result.stdout)")
        #expect(failures.contains { $0.contains("spark-01: the launch script sets RAY_AUTH_MODE=token") }, "\(result.stdout)")
    }
}
