import SparkDiagnostics
import SparkYAML

/// Decoding of what a gateway routes to besides the models: `routes` (aliases with keywords
/// and promotions) and `backends` (OpenAI-compatible servers on hosts).
extension TopologyDecoder.SectionDecoder {
    /// `routes.NAME: MODEL`, or `{model, keywords, promote: [{over, to}]}`.
    func route(_ name: String, _ node: YAMLNode, _ path: SpecPath) -> RouteAlias? {
        guard node.mapping != nil else {
            guard let model = MappingReader.text(node, key: name, path: path, grammar: .identifier, context: context) else { return nil }
            return RouteAlias(name: name, model: model, path: path)
        }
        let what = "route '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let model = map.string("model", required: true, what: what, grammar: .identifier)
        let keywords = map.strings("keywords", grammar: .phrase) ?? []
        let promotions = list(map.value("promote"), at: path / "promote", what: "promote") { item, itemPath -> RouteAlias.Promotion? in
            guard let entry = MappingReader(item, at: itemPath, what: "a promotion", context: context) else { return nil }
            defer { entry.finish() }
            let over = entry.int("over", required: true, what: "a promotion", in: 1...16_777_216)
            let to = entry.string("to", required: true, what: "a promotion", grammar: .identifier)
            guard let over, let to else { return nil }
            return RouteAlias.Promotion(overTokens: over, model: to, path: itemPath)
        }
        guard let model else { return nil }
        var route = RouteAlias(name: name, model: model, path: path / "model")
        route.keywords = keywords
        route.promotions = promotions.sorted { $0.overTokens < $1.overTokens }
        return route
    }

    /// `backends.NAME: {host, port, model, slots, vision, max_parallel_requests, fallbacks, senior}`.
    func backend(_ name: String, _ node: YAMLNode, _ path: SpecPath) -> Backend? {
        let what = "backend '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let host = map.string("host", required: true, what: what, grammar: .hostname, help: "name the host (under 'hosts') the server runs on")
        let port = map.int("port", in: 1...65535) ?? map.defaulted("port", Backend.defaultPort)
        let model = map.string("model", grammar: .word) ?? name
        let slots = map.int("slots", in: 1...100_000)
        let vision = map.bool("vision") ?? false
        let cap = map.int("max_parallel_requests", in: 1...100_000)
        let fallbacks = map.strings("fallbacks", grammar: .identifier) ?? []
        let senior = map.bool("senior") ?? false
        let textFallbacks = map.strings("text_fallbacks", grammar: .identifier) ?? []
        let apiKey = map.value("api_key").flatMap { secret($0, at: path / "api_key", what: "the api_key of \(what)", variable: Backend.apiKeyVariable) }
        let contextLength = map.int("context_length", in: 256...16_777_216)
        guard let host else { return nil }
        var backend = Backend(
            name: name, host: host, port: port, model: model, slots: slots, vision: vision, maxParallelRequests: cap, fallbacks: fallbacks,
            senior: senior, path: path)
        backend.textFallbacks = textFallbacks
        backend.apiKey = apiKey
        backend.contextLength = contextLength
        return backend
    }
}
