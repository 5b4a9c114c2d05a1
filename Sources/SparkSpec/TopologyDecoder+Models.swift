import SparkDiagnostics
import SparkYAML

/// Decoding of `catalogs` and `models`: where a model runs (its cluster or node), its runtime
/// and the runtime's options (vLLM's are in TopologyDecoder+VLLM.swift).
extension TopologyDecoder.SectionDecoder {
    /// `catalogs.NAME: {port, active, panel}`.
    func catalog(_ name: String, _ node: YAMLNode, _ path: SpecPath) -> Catalog? {
        let what = "catalog '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let port = map.int("port", in: 1...65535) ?? map.defaulted("port", Catalog.defaultPort)
        let active = map.string("active", required: true, what: what, grammar: .identifier, help: "name the model that runs now: 'active: MODEL'")
        let panel = map.string("panel", grammar: .hostname)
        let panelURL = map.string("panel_url")
        if let panelURL, !Self.isPanelURL(panelURL), let location = map.value("panel_url")?.location {
            context.error(
                .specInvalidValue, "catalog '\(name)': panel_url '\(panelURL)' is not an http or https URL of a host (and port) alone", at: location,
                path: path / "panel_url", help: "write the panel's address without a path, such as 'https://spark-control'")
        }
        guard let active else { return nil }
        var catalog = Catalog(name: name, port: port, active: active, panel: panel, path: path)
        catalog.panelURL = panelURL.flatMap { Self.isPanelURL($0) ? $0 : nil }
        return catalog
    }

    /// `http(s)://HOST[:PORT]`, no path: endpoints.json appends /v1 to it.
    static func isPanelURL(_ text: String) -> Bool {
        let rest: Substring
        if text.hasPrefix("https://") { rest = text.dropFirst(8) } else if text.hasPrefix("http://") { rest = text.dropFirst(7) } else { return false }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let host = parts.first, !host.isEmpty, host.count <= 253,
            host.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }),
            host.first != "-", host.first != ".", host.last != "-", host.last != "."
        else { return false }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port), parts[1].count <= 5 else { return false }
        }
        return true
    }

    func model(_ name: String, _ node: YAMLNode, _ path: SpecPath, catalogs: [String: Catalog]) -> Model? {
        let what = "model '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        // The runtime decides which other keys the model may have.
        let runtimeNode = map.required("runtime", what: what)
        let runtime = runtimeNode.flatMap { self.runtime($0, at: path / "runtime") }
        // The kind as written, even when another key of the runtime is wrong (reported there).
        let kind = runtime?.kind ?? runtimeNode?.mapping?.first { $0.key.scalar == "kind" }?.value.scalar.flatMap(Runtime.Kind.init)
        // An unknown kind is reported with the runtime; the source is then held to no grammar.
        let source = map.string(
            "source", required: true, what: what, grammar: kind == nil ? nil : kind == .ollama ? .ollamaTag : .huggingFaceRepo)
        let servedName = map.string("served_name", grammar: .identifier) ?? name
        let revision = map.string("revision", grammar: .revision)
        if kind == .ollama, let written = map.value("revision") {
            // Ollama's registry resolves a name and a tag; its names parse a digest
            // (types/model/name.go) but `ollama pull` has no pull by digest (ollama/ollama#6886).
            context.error(
                .specConflictingKeys, "model '\(name)' runs on Ollama, which pulls by tag only: 'ollama pull' takes no revision or digest",
                at: written.location,
                path: path / "revision",
                help: "remove 'revision' and write the tag in 'source' (such as 'qwen3-coder:30b'); HY007 explains what a tag pins")
        }
        let weights = map.double("weights_gb", required: true, what: what, in: 0.001...100_000)
        let cluster = placement(map, what: what, at: path)
        // A catalog's models share its port and take turns: the catalog decides both.
        let catalogName = map.string("catalog", grammar: .identifier)
        let catalog = catalogName.flatMap { catalogs[$0] }
        if let catalogName {
            for key in ["port", "start"] {
                guard let location = map.value(key)?.location else { continue }
                let why = key == "port" ? "serves on the catalog's port" : "runs when it is the catalog's 'active' model"
                context.error(
                    .specConflictingKeys, "model '\(name)' is in catalog '\(catalogName)', which decides its '\(key)'", at: location, path: path / key,
                    help: "remove '\(key)': a model of a catalog \(why)")
            }
        }
        let port =
            catalog?.port ?? map.int("port", in: 1...65535)
            ?? (catalogName != nil ? Catalog.defaultPort : map.defaulted("port", kind?.defaultPort ?? Runtime.Kind.vllm.defaultPort))
        var listen: ListenAddress?
        if let node = map.value("listen"), let text = MappingReader.text(node, key: "listen", path: path / "listen", grammar: nil, context: context) {
            listen = ListenAddress(text)
            if listen == nil {
                context.error(
                    .specInvalidAddress, "'\(YAMLScalar.abbreviated(text))' is not a listen address", at: node.location, path: path / "listen",
                    help: "use dac, loopback or an IPv4 address")
            }
        }
        // A runtime's own settings block is a key of the model only under that runtime.
        let vllm = kind == .vllm || kind == nil ? vllmOptions(map.value("vllm"), at: path / "vllm") : vllmOptions(nil, at: path / "vllm")
        var llamaCpp: LlamaCppOptions?
        if kind == nil { _ = map.value("llama_cpp") }  // the runtime's error is enough
        if kind == .llamaCpp {
            llamaCpp = map.required("llama_cpp", what: what, help: "add 'llama_cpp: {gguf: /srv/models/NAME.gguf, ctx_size: 32768}'")
                .flatMap { llamaCppOptions($0, at: path / "llama_cpp", model: name) }
        }
        var ollama: OllamaOptions?
        if kind == nil { _ = map.value("ollama") }  // the runtime's error is enough
        if kind == .ollama, let node = map.value("ollama") {
            ollama = ollamaOptions(node, at: path / "ollama")
        }
        let start: StartPolicy =
            catalogName != nil
            ? (catalog?.active == name ? .auto : .manual)
            : map.choice("start", StartPolicy.self, noun: "start policy") ?? .auto
        // Only a compose service can be given some GPUs; launch scripts give a node's all.
        let gpuIDs = runtime.map { $0.runner == .compose } == true ? map.ints("gpu_ids", in: 0...63) : nil
        let gpuUUIDs = GPUUUIDs.read(map, ids: gpuIDs, compose: runtime?.runner == .compose, context: context)
        let maxTokens = map.int("max_tokens", in: 1...10_000_000)
        let sharedWith = map.strings("shared_with", grammar: .identifier) ?? []
        let apiKey = map.value("api_key").flatMap { secret($0, at: path / "api_key", what: "the api_key of \(what)", variable: "VLLM_API_KEY") }
        let vision = map.bool("vision") ?? false
        let cap = map.int("max_parallel_requests", in: 1...100_000)
        let fallbacks = map.strings("fallbacks", grammar: .identifier) ?? []
        let senior = map.bool("senior") ?? false
        let textFallbacks = map.strings("text_fallbacks", grammar: .identifier) ?? []
        guard let source, let weights, let runtime, let cluster, let vllm, kind != .llamaCpp || llamaCpp != nil else { return nil }
        if runtime.kind != .vllm || runtime.runner == .compose, !cluster.workers.isEmpty {
            let what = runtime.kind == .vllm ? "vLLM run by compose" : runtime.kind.title
            let workers = map.value("cluster")?.mapping?.first { $0.key.scalar == "workers" }?.value.location ?? node.location
            context.error(
                .specConflictingKeys, "model '\(name)' has workers, but \(what) runs on one node", at: workers, path: cluster.path / "workers",
                help: runtime.kind == .vllm
                    ? "remove 'runner: compose' (a cluster of nodes runs from docker run scripts), or the workers"
                    : "remove 'workers'; a model split across nodes runs on vLLM")
        }
        var model = Model(
            name: name, source: source, servedName: servedName, weightsGB: weights, runtime: runtime, cluster: cluster, port: port,
            listen: listen, vllm: vllm, llamaCpp: llamaCpp, start: start, gpuIDs: gpuIDs, maxTokens: maxTokens, sharedWith: sharedWith,
            path: path, catalog: catalogName, vision: vision, maxParallelRequests: cap, fallbacks: fallbacks, senior: senior, textFallbacks: textFallbacks,
            apiKey: apiKey)
        model.ollama = ollama
        model.gpuUUIDs = gpuUUIDs
        model.revision = kind == .ollama ? nil : revision
        return model
    }

    func ollamaOptions(_ node: YAMLNode, at path: SpecPath) -> OllamaOptions? {
        guard let map = MappingReader(node, at: path, what: "'ollama'", context: context) else { return nil }
        defer { map.finish() }
        return OllamaOptions(contextLength: map.int("context_length", in: 256...16_777_216), path: path)
    }

    /// Where the model runs: `cluster: {head, workers, …}`, or `node: NAME` for one node.
    func placement(_ map: MappingReader, what: String, at path: SpecPath) -> Cluster? {
        if let name = map.string("node", grammar: .hostname) {
            if let other = map.value("cluster") {
                context.error(
                    .specConflictingKeys, "\(what) has both 'node' and 'cluster'", at: other.location, path: path / "cluster",
                    help: "keep 'node: \(name)' for a model on one node, or 'cluster: {head: \(name), workers: […]}' for several")
                return nil
            }
            return Cluster(head: name, workers: [], link: nil, tensorParallel: 1, pipelineParallel: 1, rayPort: 6379, path: path / "node")
        }
        return map.required("cluster", what: what, help: "add 'node: NAME' (one node) or 'cluster: {head: NAME, workers: […]}'")
            .flatMap { self.cluster($0, at: path / "cluster") }
    }

    func runtime(_ node: YAMLNode, at path: SpecPath) -> Runtime? {
        let what = "'runtime'"
        guard let map = MappingReader(node, at: path, what: what, context: context)
        else { return nil }
        defer { map.finish() }
        var kind: Runtime.Kind?
        if map.value("kind") != nil {
            kind = map.choice("kind", Runtime.Kind.self, noun: "runtime kind")
        } else {
            _ = map.required("kind", what: what, help: "add 'kind: vllm', 'kind: ollama' or 'kind: llama-cpp'")
        }
        guard let kind else { return nil }
        let digest = map.string("digest", grammar: .digest)
        switch kind {
        case .vllm:
            let runner = map.choice("runner", Runtime.Runner.self, noun: "runner") ?? .dockerRun
            let baseImage = map.string("base_image", required: true, what: what, grammar: .image)
            // A single node runs the upstream image; only a cluster of nodes needs the image with Ray.
            let image = map.string("image", grammar: .image)
            let ray = map.string("ray_version", grammar: .version)
            let token = map.value("ray_token").flatMap { secret($0, at: path / "ray_token", what: "the Ray token", variable: "RAY_AUTH_TOKEN") }
            guard let baseImage else { return nil }
            let pinned = Self.pinned(baseImage, digest: digest)
            return Runtime(
                kind: kind, runner: runner, baseImage: pinned, image: image ?? pinned, rayVersion: ray, rayToken: token, path: path)
        case .ollama, .llamaCpp:
            guard let image = map.string("image", required: true, what: what, grammar: .image) else { return nil }
            let pinned = Self.pinned(image, digest: digest)
            return Runtime(kind: kind, runner: .compose, baseImage: pinned, image: pinned, rayVersion: nil, rayToken: nil, path: path)
        }
    }

    /// `image@digest` when a digest pins a tag that moves.
    static func pinned(_ image: String, digest: String?) -> String {
        guard let digest, !image.contains("@") else { return image }
        return image + "@" + digest
    }

    func llamaCppOptions(_ node: YAMLNode, at path: SpecPath, model: String) -> LlamaCppOptions? {
        let what = "'llama_cpp'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        var gguf = map.string("gguf", required: true, what: what, grammar: .repositoryFile)
        if let file = gguf, !file.hasSuffix(".gguf"), let location = map.value("gguf")?.location {
            context.error(
                .specInvalidValue, "'\(file)' is not a GGUF file", at: location, path: path / "gguf",
                help: "name the model's .gguf file in its repository (for a split model, its first part, …-00001-of-0000N.gguf)")
            gguf = nil
        }
        let directory = map.nodePath("dir") ?? map.defaulted("dir", NodePath("~/models/" + model) ?? NodePath("~/models")!)
        let contextSize = map.int("ctx_size", required: true, what: what, in: 256...16_777_216)
        let parallel = map.int("parallel", in: 1...1024) ?? map.defaulted("parallel", 1)
        let gpuLayers = map.int("gpu_layers", in: 0...100_000) ?? map.defaulted("gpu_layers", 999)
        guard let gguf, let contextSize else { return nil }
        return LlamaCppOptions(
            gguf: gguf, directory: directory, contextSize: contextSize, parallel: parallel, gpuLayers: gpuLayers, path: path)
    }

    func cluster(_ node: YAMLNode, at path: SpecPath) -> Cluster? {
        let what = "'cluster'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let head = map.string("head", required: true, what: what, grammar: .hostname)
        let workers = map.strings("workers", grammar: .hostname) ?? []
        let link = map.string("link", grammar: .identifier)
        let tp = map.int("tensor_parallel", in: 1...1024) ?? 1
        let pp = map.int("pipeline_parallel", in: 1...1024) ?? 1
        let rayPort = map.int("ray_port", in: 1...65535) ?? map.defaulted("ray_port", 6379)
        guard let head else { return nil }
        return Cluster(head: head, workers: workers, link: link, tensorParallel: tp, pipelineParallel: pp, rayPort: rayPort, path: path)
    }
}
