import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL027: a vLLM model that a route sends tool-using clients to has a tool-call parser.
struct ToolRouteParserRule: Rule {
    let description = RuleDescription(
        id: "CL027",
        title: "a model on an agent or code route parses tool calls",
        rationale: """
            Coding and agent clients (Cursor, OpenCode, an agent such as Hermes) send 'tools' and \
            'tool_choice: auto' with every request. vLLM answers such a request with HTTP 400 ('"auto" tool \
            choice requires --enable-auto-tool-choice and --tool-call-parser to be set', \
            vllm/entrypoints/openai/serving_chat.py) unless the server was started with both flags, so \
            the route the clients were sent to fails every request while /v1/models lists the model \
            (document 003: GLM-4.5-Air is the agent and code route). A route is taken to carry tool \
            calls when a word of its name is agent, agentic, code, coding, coder or tools, or one of \
            its keywords is agent, tool use, tool calling or function calling. Ollama and LM Studio \
            parse tool calls without a flag, and are not checked.
            """,
        help: "set 'vllm.tool_call_parser' (and 'vllm.reasoning_parser' for a thinking model) to the parser vLLM documents for the model",
        triggering: [
            RuleExample(
                .gateway,
                [
                    ("      tool_call_parser: glm45\n", ""),
                    ("  homelab/code:\n    model: glm-4.5-air\n", "  homelab/code:\n    model: ↓glm-4.5-air\n"),
                ])
        ],
        nonTriggering: [
            .clean(.gateway),
            // A model no tool-using route names needs no parser.
            RuleExample(
                .gateway,
                [
                    ("      tool_call_parser: glm45\n", ""),
                    ("  homelab/code:\n    model: glm-4.5-air\n    keywords: [refactor, implement, code]\n", "  homelab/chat: glm-4.5-air\n"),
                ]),
        ])

    /// Words of a route's name that say its clients call tools.
    static let toolWords: Set<String> = ["agent", "agents", "agentic", "code", "coding", "coder", "tools"]
    /// Keywords of a route's bucket that say so.
    static let toolKeywords: Set<String> = ["agent", "tool use", "tool calling", "function calling"]

    /// Whether clients of the route send tools.
    static func carriesToolCalls(_ route: RouteAlias) -> Bool {
        let words = route.name.lowercased().split { !$0.isLetter }.map(String.init)
        return words.contains { toolWords.contains($0) } || route.keywords.contains { toolKeywords.contains($0.lowercased()) }
    }

    func check(_ context: RuleContext) -> [RuleFinding] {
        var routesByModel: [String: [RouteAlias]] = [:]
        var order: [String] = []
        for route in context.plan.routes where Self.carriesToolCalls(route) {
            if routesByModel[route.model] == nil { order.append(route.model) }
            routesByModel[route.model, default: []].append(route)
        }
        return order.compactMap { name -> RuleFinding? in
            guard let model = context.plan.cluster(ofModel: name), model.toolCallsNeedAParser, model.vllm.toolCallParser == nil,
                let routes = routesByModel[name], let first = routes.first
            else { return nil }
            let names = routes.map { "'\($0.name)'" }
            let who = names.count == 1 ? "route \(names[0]) sends" : "routes \(names.dropLast().joined(separator: ", ")) and \(names.last!) send"
            // The parser vLLM documents for the model's family, when CL011 knows it.
            let parser = ToolCallFormats.family(of: model.source)?.parsers.first ?? "PARSER"
            return RuleFinding(
                "\(who) tool-using clients to model '\(name)', which vLLM serves without a tool-call parser: every request with tools gets HTTP 400",
                at: first.path,
                help: "add 'tool_call_parser: \(parser)' under 'vllm' of model '\(name)' (spark-gen explain CL011 lists the parser of each family)")
        }
    }
}
