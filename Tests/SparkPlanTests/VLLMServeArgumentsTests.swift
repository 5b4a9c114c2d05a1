import Foundation
import SparkPlan
import SparkTestSupport
import Testing

/// The table of what `vllm serve` accepts per release, generated from facts/vllm/*.json.
@Suite struct VLLMServeArgumentsTests {
    @Test func releasesAreOldestFirstAndEachNamesItsTagAndCommit() {
        let versions = VLLMServeArguments.all.map(\.version)
        #expect(versions == ["0.11.2", "0.19.0", "0.19.1", "0.20.0", "0.20.1", "0.34.0"])
        for release in VLLMServeArguments.all {
            #expect(release.source.hasPrefix("vllm-project/vllm@v\(release.version) (commit "), "\(release.source)")
        }
    }

    /// homelab's GLM-4.5-Air: TurboQuant is not in 0.11.2 (nor 0.19.x); 0.20.0 is the first release with it.
    @Test func turboQuantIsRefusedBy0112AndFirstAcceptedIn0200() throws {
        let old = try #require(VLLMServeArguments.at(version: "0.11.2"))
        #expect(!old.accepts("turboquant_k8v4", for: "--kv-cache-dtype"))
        #expect(old.accepts("fp8", for: "--kv-cache-dtype"))
        #expect(try #require(VLLMServeArguments.at(version: "0.19.1")).accepts("turboquant_k8v4", for: "--kv-cache-dtype") == false)
        #expect(VLLMServeArguments.firstVersion(accepting: "turboquant_k8v4", for: "--kv-cache-dtype") == "0.20.0")
        #expect(VLLMServeArguments.firstVersion(accepting: "no-such-dtype", for: "--kv-cache-dtype") == nil)
    }

    @Test func switchesTheirNegationsAndAliasesAreFlags() throws {
        let release = try #require(VLLMServeArguments.at(version: "0.19.0"))
        #expect(release.choices(for: "--enable-prefix-caching") == [])
        #expect(release.accepts(flag: "--no-enable-prefix-caching"))
        #expect(release.accepts(flag: "-tp"))
        #expect(release.choices(for: "--enable-prefix-cache") == nil)
        #expect(!release.accepts("x", for: "--enable-prefix-cache"))
        #expect(release.accepts("Qwen/anything", for: "--served-model-name"))
    }

    @Test func enumeratedFlagsCarryTheirValues() throws {
        let release = try #require(VLLMServeArguments.at(version: "0.11.2"))
        #expect(release.choices(for: "--dtype") == ["auto", "bfloat16", "float", "float16", "float32", "half"])
        #expect(release.accepts("ray", for: "--distributed-executor-backend"))
        #expect(release.accepts("fastsafetensors", for: "--load-format"))
        #expect(release.accepts("awq_marlin", for: "--quantization"))
        #expect(!release.accepts("qwen3_codr", for: "--tool-call-parser"))
        // GLM-4.5's parsers are registered in every extracted release.
        for release in VLLMServeArguments.all {
            #expect(release.accepts("glm45", for: "--tool-call-parser") && release.accepts("glm45", for: "--reasoning-parser"), "\(release.version)")
        }
        #expect(VLLMServeArguments.firstVersion(accepting: "glm47", for: "--tool-call-parser") == "0.19.0")
    }

    /// A lookup is a binary search over the generated table, so it finds every flag of the
    /// release's JSON with its values only if the table is in ascending order: a table out of
    /// order loses flags here.
    @Test func everyFlagOfEachReleaseIsFoundWithItsValues() throws {
        #expect(VLLMServeArguments.versions == VLLMServeArguments.all.map(\.version))
        #expect(VLLMServeArguments.at(version: "0.11.1") == nil)
        for version in VLLMServeArguments.versions {
            let release = try #require(VLLMServeArguments.at(version: version))
            let path = Fixtures.repositoryRoot + "/facts/vllm/\(version).json"
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            let flags = try #require(json["flags"] as? [String: [String: Any]])
            for (flag, entry) in flags {
                #expect(release.choices(for: flag) == (entry["choices"] as? [String] ?? []), "\(version) \(flag)")
            }
            for absent in ["--", "--aaa", "--zzz", "-tp-", "--port-"] where flags[absent] == nil {
                #expect(release.choices(for: absent) == nil, "\(version) \(absent)")
            }
        }
        // A table made from a dictionary is sorted the same way.
        let made = VLLMServeArguments(version: "0.0.1", source: "test", flags: ["--b": ["x"], "--a": [], "--c": []])
        #expect(made.choices(for: "--b") == ["x"] && made.accepts(flag: "--a") && made.accepts(flag: "--c") && !made.accepts(flag: "--d"))
    }

    /// The generated Swift matches facts/vllm/*.json; `swift --check` fails on a stale table.
    @Test func theGeneratedTableIsCurrent() throws {
        let script = Fixtures.repositoryRoot + "/scripts/vllm-facts.py"
        let current = CommandRunner.tool("python3", [script, "swift", "--check"])
        #expect(current.status == 0, "\(current.stdout)\(current.stderr)")

        // A copy whose JSON gained a value the Swift does not have is refused.
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let files = FileManager.default
        try files.createDirectory(atPath: scratch + "/Sources/SparkPlan", withIntermediateDirectories: true)
        try files.copyItem(atPath: Fixtures.repositoryRoot + "/facts", toPath: scratch + "/facts")
        try files.copyItem(atPath: Fixtures.repositoryRoot + "/Sources/SparkPlan/Facts", toPath: scratch + "/Sources/SparkPlan/Facts")
        let json = scratch + "/facts/vllm/0.11.2.json"
        let text = try String(contentsOfFile: json, encoding: .utf8)
        try text.replacingOccurrences(of: "\"fp8_inc\"", with: "\"fp8_inc\", \"fp8_new\"").write(toFile: json, atomically: true, encoding: .utf8)
        let stale = CommandRunner.tool("python3", [script, "swift", "--check", "--root", scratch])
        #expect(stale.status == 1, "\(stale.stdout)")
        #expect(stale.stderr.contains("VLLMServeArguments+v0_11_2.swift is stale"), "\(stale.stderr)")
    }
}
