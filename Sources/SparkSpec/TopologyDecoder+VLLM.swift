import SparkDiagnostics
import SparkYAML

/// Decoding of a model's `vllm` options, the mappings passed through to vLLM as JSON and
/// chat template arguments.
extension TopologyDecoder.SectionDecoder {
    func vllmOptions(_ node: YAMLNode?, at path: SpecPath) -> VLLMOptions? {
        var options = VLLMOptions(
            dtype: "auto", gpuMemoryUtilization: 0.9, maxModelLen: nil, maxNumBatchedTokens: nil, maxNumSeqs: nil,
            enablePrefixCaching: false, enableChunkedPrefill: false, toolCallParser: nil, reasoningParser: nil, quantization: nil,
            kvCacheDtype: nil, distributedExecutorBackend: nil, defaultChatTemplateKwargs: [], path: path)
        guard let node else { return options }
        guard let map = MappingReader(node, at: path, what: "'vllm'", context: context) else { return nil }
        defer { map.finish() }
        options.dtype = map.string("dtype", grammar: .word) ?? map.defaulted("dtype", options.dtype)
        options.gpuMemoryUtilization =
            map.double("gpu_memory_utilization", in: 0.05...1.0) ?? map.defaulted("gpu_memory_utilization", options.gpuMemoryUtilization)
        options.maxModelLen = map.int("max_model_len", in: 1...16_777_216)
        options.maxNumBatchedTokens = map.int("max_num_batched_tokens", in: 1...16_777_216)
        options.maxNumSeqs = map.int("max_num_seqs", in: 1...65536)
        options.enablePrefixCaching = map.bool("enable_prefix_caching") ?? false
        options.enableChunkedPrefill = map.bool("enable_chunked_prefill") ?? false
        options.toolCallParser = map.string("tool_call_parser", grammar: .parserName)
        options.reasoningParser = map.string("reasoning_parser", grammar: .parserName)
        options.quantization = map.string("quantization", grammar: .word)
        options.kvCacheDtype = map.string("kv_cache_dtype", grammar: .word)
        options.loadFormat = map.string("load_format", grammar: .word)
        if let backend = map.string("distributed_executor_backend", grammar: .word) {
            if ["ray", "mp"].contains(backend) {
                options.distributedExecutorBackend = backend
            } else if let location = map.value("distributed_executor_backend")?.location {
                context.error(
                    .specUnknownChoice, "unknown executor backend '\(backend)'", at: location, path: path / "distributed_executor_backend",
                    help: "use ray (needed across nodes) or mp (one node)")
            }
        }
        if let kwargs = map.value("default_chat_template_kwargs") {
            options.defaultChatTemplateKwargs = templateKwargs(kwargs, at: path / "default_chat_template_kwargs")
        }
        options.trustRemoteCode = map.bool("trust_remote_code") ?? false
        if let overrides = map.value("hf_overrides") {
            options.hfOverrides = passThrough(
                overrides, at: path / "hf_overrides", key: "hf_overrides",
                example: "{rope_scaling: {rope_type: yarn, factor: 4.0, original_max_position_embeddings: 32768}}")
        }
        if let speculative = map.value("speculative_config") {
            options.speculativeConfig = passThrough(
                speculative, at: path / "speculative_config", key: "speculative_config",
                example: "{method: ngram, num_speculative_tokens: 4, prompt_lookup_max: 4}")
        }
        // vllm-project/vllm#28006 removed both flags in vLLM 0.11.1: `vllm serve` stops at
        // "unrecognized arguments" before it loads anything.
        for (key, help) in Self.retiredKeys { map.retire(key, help: help) }
        return options
    }

    /// The retired keys' help, written out: building it per model was string work on every
    /// `vllm:` mapping of a fleet for a message almost never shown, and building it once was
    /// start-up work on every run (docs/performance.md).
    private static let retiredKeys: [(key: String, help: String)] = [
        (
            "rope_scaling",
            """
            vLLM 0.11.1 removed --rope-scaling; write it under hf_overrides, as 'hf_overrides: {rope_scaling: …}' \
            (newer vLLM with Transformers 5 reads 'rope_parameters' instead)
            """
        ),
        (
            "rope_theta",
            """
            vLLM 0.11.1 removed --rope-theta; write it under hf_overrides, as 'hf_overrides: {rope_theta: …}' \
            (newer vLLM with Transformers 5 reads 'rope_parameters' instead)
            """
        ),
    ]

    /// A mapping passed to vLLM as JSON: keys and nesting as written, plain scalars typed as
    /// YAML types them (true, 4, 4.0), quoted ones as text; null is refused, since leaving the
    /// key out says the same.
    func passThrough(_ node: YAMLNode, at path: SpecPath, key: String, example: String) -> [(String, YAMLValue)] {
        guard node.mapping != nil else {
            context.error(.specWrongType, "'\(key)' must be a mapping, found \(node.kindName)", at: node.location, path: path, help: "write it as \(example)")
            return []
        }
        guard case .mapping(let pairs) = passThroughValue(node, named: key, at: path) else { return [] }
        return pairs
    }

    private func passThroughValue(_ node: YAMLNode, named name: String, at path: SpecPath) -> YAMLValue? {
        if let pairs = node.mapping {
            var members: [(String, YAMLValue)] = []
            for pair in pairs {
                guard let name = pair.key.scalar else { continue }
                guard Grammar.configKey.matches(name) else {
                    context.error(
                        .specInvalidValue, "'\(YAMLScalar.abbreviated(name))' is not a valid setting name", at: pair.key.location, path: path / name,
                        help: "use \(Grammar.configKey.expectation)")
                    continue
                }
                if let value = passThroughValue(pair.value, named: name, at: path / name) { members.append((name, value)) }
            }
            return .mapping(members)
        }
        if let items = node.sequence {
            return .sequence(items.enumerated().compactMap { passThroughValue($1, named: "\(name)[\($0)]", at: path / $0) })
        }
        guard let text = node.scalar, !node.isNull else {
            context.error(.specNullValue, "'\(name)' is null", at: node.location, path: path, help: "give it a value, or leave the key out")
            return nil
        }
        guard node.isPlain else { return .string(text) }
        if let flag = YAMLScalar.bool(text) { return .bool(flag) }
        if let number = YAMLScalar.int(text) { return .int(number) }
        if let number = YAMLScalar.double(text), number.isFinite { return .double(number) }
        return .string(text)
    }

    func templateKwargs(_ node: YAMLNode, at path: SpecPath) -> [(String, VLLMOptions.TemplateValue)] {
        guard let pairs = node.mapping else {
            context.error(
                .specWrongType, "'default_chat_template_kwargs' must be a mapping, found \(node.kindName)", at: node.location, path: path,
                help: "write it as {enable_thinking: false}")
            return []
        }
        var result: [(String, VLLMOptions.TemplateValue)] = []
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }
            guard Grammar.parserName.matches(key) else {
                context.error(
                    .specInvalidValue, "'\(YAMLScalar.abbreviated(key))' is not a valid keyword name", at: pair.key.location, path: path / key,
                    help: "use lowercase letters, digits and '_'")
                continue
            }
            let value = pair.value
            if let text = value.scalar, value.isPlain, let flag = YAMLScalar.bool(text) {
                result.append((key, .bool(flag)))
            } else if let text = value.scalar, value.isPlain, let number = YAMLScalar.int(text) {
                result.append((key, .int(number)))
            } else if let text = value.scalar, !value.isNull {
                result.append((key, .string(text)))
            } else {
                context.error(
                    .specWrongType, "'\(key)' must be true, false, a number or text, found \(value.kindName)", at: value.location, path: path / key,
                    help: "chat-template keyword arguments are simple values")
            }
        }
        return result
    }
}
