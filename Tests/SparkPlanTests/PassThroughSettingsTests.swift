import Foundation
import SparkGenKit
import SparkPlan
import SparkTestSupport
import Testing

/// `hf_overrides` and `speculative_config` reach `vllm serve` as the JSON the topology wrote.
@Suite struct PassThroughSettingsTests {
    private static func plan(_ settings: String) throws -> Plan {
        let text = Fixtures.splitTrust.replacingOccurrences(
            of: "      default_chat_template_kwargs: {enable_thinking: false}\n",
            with: "      default_chat_template_kwargs: {enable_thinking: false}\n" + settings)
        let compiled = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        return try #require(compiled.plan, "\(compiled.diagnostics.map(\.message))")
    }

    private static func argument(_ flag: String, of plan: Plan) throws -> String {
        let arguments = try #require(plan.cluster(ofModel: "qwen3.5-122b")).vllmServeArguments
        return try #require(arguments.first { $0.first == flag }?.last)
    }

    @Test func yarnReachesVLLMAsTypedJSON() throws {
        let plan = try Self.plan(
            """
                  hf_overrides:
                    rope_scaling: {rope_type: yarn, factor: 4.0, original_max_position_embeddings: 32768}
                    note: "4.0"
                    ratio: 0.1

            """)
        // Floats stay floats (4.0, 0.1), a quoted number stays text, and the keys keep their order.
        #expect(
            try Self.argument("--hf-overrides", of: plan)
                == #"{"rope_scaling":{"rope_type":"yarn","factor":4.0,"original_max_position_embeddings":32768},"note":"4.0","ratio":0.1}"#)
    }

    @Test func speculativeDecodingIsPassedWithListsAndFlags() throws {
        let plan = try Self.plan("      speculative_config: {method: ngram, num_speculative_tokens: 4, enabled: true, sizes: [1, 2.5, x]}\n")
        let json = try Self.argument("--speculative-config", of: plan)
        #expect(json == #"{"method":"ngram","num_speculative_tokens":4,"enabled":true,"sizes":[1,2.5,"x"]}"#)
        // What vLLM's argparse hands json.loads is one valid document.
        #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil)
    }

    @Test func withoutTheKeysNoFlagIsPassed() throws {
        let arguments = try #require(Self.plan("").cluster(ofModel: "qwen3.5-122b")).vllmServeArguments.map(\.first)
        #expect(!arguments.contains("--hf-overrides") && !arguments.contains("--speculative-config"))
    }
}
