/// Which vLLM tool-call parsers read the tool calls a model family writes.
///
/// Sources: vLLM's `docs/features/tool_calling.md` and parser registry
/// (`vllm/tool_parsers/__init__.py`), and the vllm-project/recipes pages for Qwen3.5 and
/// Qwen3-Coder, which use `qwen3_coder` (`qwen3_xml` names the same parser in newer vLLM).
/// A family is recognised by the model name of its Hugging Face repository; the first matching
/// prefix wins, so more specific names come first. Families not listed are not checked.
enum ToolCallFormats {
    struct Family {
        /// Lowercase prefixes of the repository's model name (the part after the `/`).
        let prefixes: [String]
        let name: String
        /// How the family writes a tool call, for the message.
        let format: String
        let parsers: [String]
    }

    static let families: [Family] = [
        Family(
            prefixes: ["qwen3.5", "qwen3.6", "qwen3-coder"], name: "Qwen3.5 / Qwen3-Coder",
            format: "XML-style <tool_call><function=…> blocks", parsers: ["qwen3_coder", "qwen3_xml"]),
        Family(
            prefixes: ["qwen3-", "qwen2.5", "qwq"], name: "Qwen3 / Qwen2.5 / QwQ",
            format: "Hermes-style JSON in <tool_call> tags", parsers: ["hermes"]),
        Family(prefixes: ["llama-4"], name: "Llama 4", format: "pythonic or JSON calls", parsers: ["llama4_pythonic", "llama4_json"]),
        Family(
            prefixes: ["llama-3.1", "llama-3.2", "llama-3.3", "meta-llama-3.1"], name: "Llama 3.x",
            format: "JSON calls", parsers: ["llama3_json"]),
        Family(
            prefixes: ["mistral", "mixtral", "devstral", "magistral", "ministral"], name: "Mistral",
            format: "[TOOL_CALLS] JSON", parsers: ["mistral"]),
        Family(prefixes: ["deepseek-v3.1"], name: "DeepSeek V3.1", format: "DeepSeek V3.1 tool tokens", parsers: ["deepseek_v31"]),
        Family(prefixes: ["deepseek-v3", "deepseek-r1"], name: "DeepSeek V3 / R1", format: "DeepSeek tool tokens", parsers: ["deepseek_v3"]),
        Family(prefixes: ["gpt-oss"], name: "gpt-oss", format: "harmony channels", parsers: ["openai"]),
        Family(prefixes: ["kimi-k2"], name: "Kimi K2", format: "Kimi tool tokens", parsers: ["kimi_k2"]),
        Family(prefixes: ["glm-4.7"], name: "GLM-4.7", format: "GLM tool tags", parsers: ["glm47"]),
        Family(prefixes: ["glm-4.5", "glm-4.6"], name: "GLM-4.5 / 4.6", format: "GLM tool tags", parsers: ["glm45"]),
        Family(prefixes: ["granite-4"], name: "Granite 4", format: "Granite tool tags", parsers: ["granite4"]),
        Family(prefixes: ["granite-3"], name: "Granite 3", format: "Granite tool tags", parsers: ["granite"]),
        Family(prefixes: ["internlm2_5", "internlm2.5"], name: "InternLM 2.5", format: "InternLM tool tags", parsers: ["internlm"]),
        Family(prefixes: ["hunyuan-a13b"], name: "Hunyuan-A13B", format: "Hunyuan tool tags", parsers: ["hunyuan_a13b"]),
    ]

    /// The families and their parsers, one line each, for `spark-gen explain CL011`.
    static var table: String {
        "\n"
            + families.map { "  \($0.name) (\($0.prefixes.joined(separator: ", "))…): \($0.parsers.joined(separator: ", "))" }
            .joined(separator: "\n")
    }

    /// The family of a model from its Hugging Face repository (`Qwen/Qwen3.5-122B-A10B-GPTQ-Int4`).
    static func family(of source: String) -> Family? {
        let model = (source.split(separator: "/").last.map(String.init) ?? source).lowercased()
        return families.first { family in family.prefixes.contains { model.hasPrefix($0) } }
    }
}
