/// The arguments `vllm serve` accepts at one release, and the values of those that take one
/// from a fixed list.
///
/// Placeholder; replaced by the generated table (branch vllm-args), which extracts every
/// release's arguments from vLLM's source at its tag. This one holds only what spark-gen's
/// rules need for the releases the examples pin: the flags spark-gen writes, and
/// `--kv-cache-dtype`'s values (vllm/config/cache.py, CacheDType, at each tag).
public struct VLLMServeArguments: Sendable {
    public let version: String
    public let source: String
    /// flag → accepted values; [] = free-form or switch.
    public let flags: [String: [String]]

    /// Oldest first.
    public static let all: [VLLMServeArguments] = [
        VLLMServeArguments(
            version: "0.11.2", source: "vllm-project/vllm@v0.11.2:vllm/config/cache.py (CacheDType)",
            flags: common.merging(["--kv-cache-dtype": cacheDTypes]) { $1 }),
        VLLMServeArguments(
            version: "0.20.0",
            source: "vllm-project/vllm@v0.20.0:vllm/config/cache.py (CacheDType); TurboQuant's dtypes from vllm-project/vllm#38479",
            flags: common.merging(["--kv-cache-dtype": cacheDTypes + turboQuant]) { $1 }),
    ]

    static let cacheDTypes = ["auto", "bfloat16", "fp8", "fp8_e4m3", "fp8_e5m2", "fp8_inc", "fp8_ds_mla"]
    static let turboQuant = ["turboquant_k8v4", "turboquant_4bit_nc", "turboquant_k3v4_nc", "turboquant_3bit_nc"]
    /// The flags spark-gen writes, free-form here.
    static let common: [String: [String]] = Dictionary(uniqueKeysWithValues: [
        "--served-model-name", "--host", "--port", "--dtype", "--gpu-memory-utilization", "--max-model-len",
        "--max-num-batched-tokens", "--max-num-seqs", "--quantization", "--load-format", "--enable-prefix-caching",
        "--enable-chunked-prefill", "--enable-auto-tool-choice", "--tool-call-parser", "--reasoning-parser",
        "--default-chat-template-kwargs", "--trust-remote-code", "--hf-overrides", "--speculative-config",
        "--tensor-parallel-size", "--pipeline-parallel-size", "--distributed-executor-backend",
    ].map { ($0, [String]()) })

    public init(version: String, source: String, flags: [String: [String]]) {
        self.version = version
        self.source = source
        self.flags = flags
    }

    public static func at(version: String) -> VLLMServeArguments? {
        let wanted = version.hasPrefix("v") ? String(version.dropFirst()) : version
        return all.first { $0.version == wanted }
    }

    public func accepts(flag: String) -> Bool { flags[flag] != nil }

    public func choices(for flag: String) -> [String]? {
        guard let values = flags[flag], !values.isEmpty else { return nil }
        return values
    }

    public func accepts(_ value: String, for flag: String) -> Bool {
        guard let values = flags[flag] else { return false }
        return values.isEmpty || values.contains(value)
    }

    public static func firstVersion(accepting value: String, for flag: String) -> String? {
        all.first { $0.accepts(value, for: flag) }?.version
    }
}
