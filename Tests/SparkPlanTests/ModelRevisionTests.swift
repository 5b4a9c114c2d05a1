import SparkDiagnostics
import SparkPlan
import SparkSpec
import SparkTestSupport
import SparkYAML
import Testing

/// A model's `revision` reaches everything that fetches from its repository: the weights step,
/// and vLLM's weights, tokenizer and remote code (issue 24, item 5).
@Suite struct ModelRevisionTests {
    private static let commit = String(repeating: "0123456789", count: 4)

    private static func box(_ kind: Runtime.Kind, revision: String?, trustRemoteCode: Bool = false) -> TopologyBuilder {
        var builder = TopologyBuilder().owner("me").node("box", owner: "me", links: [], apps: [.litellm]).model("m", head: "box", runtime: kind)
        builder.topology.models[0].revision = revision
        builder.topology.models[0].vllm.trustRemoteCode = trustRemoteCode
        return builder
    }

    @Test func vLLMReadsWeightsAndTokenizerAtTheRevision() throws {
        let cluster = try #require(Self.box(.vllm, revision: Self.commit).resolve().plan?.cluster(ofModel: "m"))
        let arguments = cluster.vllmServeArguments
        #expect(arguments.contains(["--revision", Self.commit]))
        #expect(arguments.contains(["--tokenizer-revision", Self.commit]))
        // No repository code runs, so there is no code revision to name.
        #expect(!arguments.contains { $0.first == "--code-revision" })
        #expect(cluster.weights.revision == Self.commit)
    }

    @Test func remoteCodeIsReadAtTheRevisionToo() throws {
        let cluster = try #require(Self.box(.vllm, revision: Self.commit, trustRemoteCode: true).resolve().plan?.cluster(ofModel: "m"))
        #expect(cluster.vllmServeArguments.contains(["--code-revision", Self.commit]))
    }

    @Test func withoutARevisionNothingNamesOne() throws {
        let cluster = try #require(Self.box(.vllm, revision: nil, trustRemoteCode: true).resolve().plan?.cluster(ofModel: "m"))
        #expect(!cluster.vllmServeArguments.contains { $0.first?.hasSuffix("revision") == true })
        #expect(cluster.weights.revision == nil)
    }

    /// llama-server's own `-hf` download takes no revision: the weights step fetches the file at
    /// the revision and the server loads it from the folder.
    @Test func llamaCppDownloadsTheFileAtTheRevision() throws {
        let cluster = try #require(Self.box(.llamaCpp, revision: Self.commit).resolve().plan?.cluster(ofModel: "m"))
        #expect(cluster.weights.revision == Self.commit)
        guard case .huggingFace(_, .file(let file)?, _, .some) = cluster.weights.fetch else {
            Issue.record("llama.cpp fetches \(cluster.weights.fetch), not one file into a folder")
            return
        }
        #expect(file == "model-Q4_K_M.gguf")
    }

    /// A draft model named by repository is fetched too, at its own revision: the container runs
    /// offline with a read-only cache, so vLLM could not download it at its start.
    @Test func aDraftModelIsFetchedBesideTheModel() throws {
        var builder = Self.box(.vllm, revision: Self.commit)
        builder.topology.models[0].vllm.speculativeConfig = [
            ("method", .string("draft_model")), ("model", .string("Qwen/Qwen3-0.6B")), ("revision", .string("abc")),
            ("num_speculative_tokens", .int(4)),
        ]
        let cluster = try #require(builder.resolve().plan?.cluster(ofModel: "m"))
        #expect(cluster.weights.companions.map(\.repository) == ["Qwen/Qwen3-0.6B"])
        #expect(cluster.weights.companions.first?.revision == "abc")
    }

    /// n-gram and MTP drafting load nothing more; a path is the operator's own files.
    @Test func drafterWithoutARepositoryFetchesNothingMore() throws {
        for config: [(String, YAMLValue)] in [
            [("method", .string("ngram")), ("num_speculative_tokens", .int(4))],
            [("method", .string("eagle")), ("model", .string("/models/eagle-head"))],
        ] {
            var builder = Self.box(.vllm, revision: nil)
            builder.topology.models[0].vllm.speculativeConfig = config
            let cluster = try #require(builder.resolve().plan?.cluster(ofModel: "m"))
            #expect(cluster.weights.companions.isEmpty)
        }
    }

    /// The flags spark-gen passes exist in every vLLM release the facts layer knows (CL023
    /// checks generated arguments against the same tables).
    @Test func everyKnownVLLMReleaseAcceptsTheRevisionFlags() {
        for release in VLLMServeArguments.all {
            for flag in ["--revision", "--tokenizer-revision", "--code-revision"] {
                #expect(release.accepts(flag: flag), "vLLM \(release.version) does not accept \(flag)")
            }
        }
    }
}
