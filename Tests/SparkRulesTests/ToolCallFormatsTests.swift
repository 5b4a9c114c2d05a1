import Testing

@testable import SparkRules

/// The family table behind CL011, read the way the rule reads a model's source.
@Suite struct ToolCallFormatsTests {
    @Test(arguments: [
        ("Qwen/Qwen3.5-122B-A10B-GPTQ-Int4", "qwen3_coder"),
        ("Qwen/Qwen3-Coder-30B-A3B-Instruct", "qwen3_coder"),
        ("Qwen/Qwen3-30B-A3B-Instruct-2507-FP8", "hermes"),
        ("Qwen/Qwen2.5-72B-Instruct", "hermes"),
        ("meta-llama/Llama-3.3-70B-Instruct", "llama3_json"),
        ("openai/gpt-oss-120b", "openai"),
        ("deepseek-ai/DeepSeek-V3.1", "deepseek_v31"),
        ("deepseek-ai/DeepSeek-V3-0324", "deepseek_v3"),
        ("zai-org/GLM-4.6", "glm45"),
    ])
    func familyPicksTheDocumentedParser(_ source: String, _ parser: String) throws {
        let family = try #require(ToolCallFormats.family(of: source))
        #expect(family.parsers.first == parser)
    }

    @Test func anUnknownFamilyIsNotChecked() {
        #expect(ToolCallFormats.family(of: "someone/SomeModel-7B") == nil)
    }
}
