import SparkDiagnostics
import SparkJSON
import SparkSpec
import SparkYAML

/// vLLM: launch scripts that `docker run` a head and its Ray workers (any cluster), or, for a
/// model on one node, a compose service.
struct VLLMRuntime: ModelRuntime {
    let kind = Runtime.Kind.vllm
    let readinessPath = "/v1/models"
    let upstreamBind = UpstreamBinds.vllm.text
    let parallelism = Parallelism.rankPerGPU
    /// A multi-node cluster builds its own image on the node from this one.
    let imageKey = "base_image"
    let toolCallsNeedAParser = true

    /// vLLM reserves its fraction of the GPU memory at start.
    func memory(_ cluster: ClusterPlan) -> MemoryClaim {
        .fraction(cluster.vllm.gpuMemoryUtilization, path: cluster.vllm.path / "gpu_memory_utilization")
    }

    func slots(_ cluster: ClusterPlan) -> (count: Int, key: String)? { cluster.vllm.maxNumSeqs.map { ($0, "vllm.max_num_seqs") } }

    func workload(_ cluster: ClusterPlan) -> Workload? {
        guard cluster.runtime.runner == .compose else { return nil }
        let node = cluster.head
        var workload = Workload(
            name: serviceName(cluster), image: cluster.image,
            command: [cluster.source] + Self.serveArguments(cluster).flatMap { $0 },
            environment: VLLMContainer.environment,
            // vLLM's API server asks for VLLM_API_KEY from its environment, never from a command line.
            environmentFiles: cluster.listen == .tailnet ? cluster.apiKey.map { [$0.file.absolute(home: node.home)] } ?? [] : [],
            mounts: [
                VLLMContainer.hubCacheMount(home: node.home),
                // A cache per model: several servers compiling at once do not share one folder.
                .volume(VLLMContainer.compileCacheVolume(cluster.name), at: VLLMContainer.compileCacheInContainer),
            ],
            // Vendors' images start differently (NGC's runs a banner script, vllm-openai `vllm
            // serve`); naming the command makes every image serve the same way.
            entrypoint: ["vllm", "serve"], gpus: node.hardware.gpuVendor, gpuIDs: cluster.gpuIDs, hostIPC: true,
            manualStart: cluster.start == .manual, path: cluster.path)
        // One node, no Ray peer: the host's IPC namespace is shared with the owner's own processes only.
        workload.capabilities = VLLMContainer.capabilities(rdma: false, port: cluster.port)
        workload.noNewPrivileges = true
        return workload
    }

    /// A setting as written in the topology, as the JSON vLLM parses.
    static func json(_ value: YAMLValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .bool(let flag): return .bool(flag)
        case .sequence(let items): return .array(items.map(json))
        case .mapping(let members): return .object(members.map { ($0, json($1)) })
        }
    }

    /// The `vllm serve` options after the model, one group of words per option, in a fixed order.
    static func serveArguments(_ cluster: ClusterPlan) -> [[String]] {
        let model = cluster
        let vllm = model.vllm
        var args: [[String]] = [
            ["--served-model-name", model.servedName],
            ["--host", cluster.apiHost],
            ["--port", String(model.port)],
            ["--dtype", vllm.dtype],
            ["--gpu-memory-utilization", "\(vllm.gpuMemoryUtilization)"],
        ]
        if let value = vllm.maxModelLen { args.append(["--max-model-len", String(value)]) }
        if let value = vllm.maxNumBatchedTokens { args.append(["--max-num-batched-tokens", String(value)]) }
        if let value = vllm.maxNumSeqs { args.append(["--max-num-seqs", String(value)]) }
        if let value = vllm.quantization { args.append(["--quantization", value]) }
        if let value = vllm.kvCacheDtype { args.append(["--kv-cache-dtype", value]) }
        if let value = vllm.loadFormat { args.append(["--load-format", value]) }
        if vllm.enablePrefixCaching { args.append(["--enable-prefix-caching"]) }
        if vllm.enableChunkedPrefill { args.append(["--enable-chunked-prefill"]) }
        if let parser = vllm.toolCallParser {
            args.append(["--enable-auto-tool-choice"])
            args.append(["--tool-call-parser", parser])
        }
        if let parser = vllm.reasoningParser { args.append(["--reasoning-parser", parser]) }
        if !vllm.defaultChatTemplateKwargs.isEmpty {
            let object = JSONValue.object(
                vllm.defaultChatTemplateKwargs.map { key, value in
                    switch value {
                    case .bool(let flag): return (key, .bool(flag))
                    case .int(let number): return (key, .int(number))
                    case .string(let text): return (key, .string(text))
                    }
                })
            // jansson fails only on text that is not UTF-8, which libyaml never hands over.
            if let json = try? JanssonEncoder.encode(object, style: .compact) { args.append(["--default-chat-template-kwargs", json]) }
        }
        if vllm.trustRemoteCode { args.append(["--trust-remote-code"]) }
        // One snapshot for all of it: vLLM reads weights at --revision, the tokenizer at
        // --tokenizer-revision and remote code at --code-revision, each the default branch
        // unless told (vLLM engine args; every release in facts/vllm/ accepts the three).
        if let revision = model.revision {
            args.append(["--revision", revision])
            args.append(["--tokenizer-revision", revision])
            if vllm.trustRemoteCode { args.append(["--code-revision", revision]) }
        }
        for (flag, settings) in [("--hf-overrides", vllm.hfOverrides), ("--speculative-config", vllm.speculativeConfig)] where !settings.isEmpty {
            if let json = try? JanssonEncoder.encode(json(.mapping(settings)), style: .compact) { args.append([flag, json]) }
        }
        args.append(["--tensor-parallel-size", String(model.tensorParallel)])
        args.append(["--pipeline-parallel-size", String(model.pipelineParallel)])
        if let backend = cluster.executorBackend { args.append(["--distributed-executor-backend", backend]) }
        return args
    }
}
