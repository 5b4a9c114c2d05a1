import SparkDiagnostics
import SparkSpec

/// CL011: a model's tool-call parser reads the tool calls its family writes.
struct ToolParserRule: Rule {
    let description = RuleDescription(
        id: "CL011",
        title: "the tool-call parser matches the model family",
        rationale: """
            With a tool-call parser set, LiteLLM advertises function calling for the model. When the \
            parser expects another format than the model writes (the guide's 'hermes' for Qwen3.5, which \
            writes XML-style calls), vLLM returns each tool call as plain text: the client sees an answer \
            that looks like markup and no tool ever runs, with no error anywhere. The families and their \
            parsers follow vLLM's tool-calling documentation and recipes; a family not listed is not checked.
            """ + ToolCallFormats.table,
        help: "use the parser vLLM documents for the model family",
        triggering: [
            RuleExample(.sparkPair, replacing: "      max_model_len: 65536\n", with: "      max_model_len: 65536\n      tool_call_parser: ↓hermes\n")
        ],
        nonTriggering: [
            .clean(.sparkPair),
            RuleExample(.sparkPair, replacing: "      max_model_len: 65536\n", with: "      max_model_len: 65536\n      tool_call_parser: qwen3_coder\n"),
            RuleExample(.sparkPair, replacing: "      max_model_len: 65536\n", with: "      max_model_len: 65536\n      tool_call_parser: qwen3_xml\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.compactMap { model -> RuleFinding? in
            guard let parser = model.vllm.toolCallParser, let family = ToolCallFormats.family(of: model.source),
                !family.parsers.contains(parser)
            else { return nil }
            let expected = family.parsers.map { "'\($0)'" }.joined(separator: " or ")
            return RuleFinding(
                "model '\(model.name)' is a \(family.name) model, which writes \(family.format), but its tool_call_parser is '\(parser)': vLLM would return every tool call as text",
                at: model.vllm.path / "tool_call_parser",
                help: "set 'tool_call_parser: \(family.parsers[0])' (the parser vLLM documents for \(family.name): \(expected))")
        }
    }
}
