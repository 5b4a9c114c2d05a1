import SparkDiagnostics
import SparkYAML

/// The `vllm serve` flags a topology may set. Unknown keys are refused rather than passed on,
/// so a typo cannot silently drop a flag.
public struct VLLMOptions: Sendable {
    public var dtype: String
    public var gpuMemoryUtilization: Double
    public var maxModelLen: Int?
    public var maxNumBatchedTokens: Int?
    public var maxNumSeqs: Int?
    public var enablePrefixCaching: Bool
    public var enableChunkedPrefill: Bool
    public var toolCallParser: String?
    public var reasoningParser: String?
    public var quantization: String?
    public var kvCacheDtype: String?
    /// `--load-format`, e.g. fastsafetensors (loads weights straight to the GPU; spark-vllm-docker
    /// warns against it for weights above 0.8 of the memory).
    public var loadFormat: String? = nil
    /// `ray` or `mp`; nil lets spark-gen choose (Ray for a multi-node cluster).
    public var distributedExecutorBackend: String?
    /// `--default-chat-template-kwargs`, kept as ordered pairs of JSON scalars.
    public var defaultChatTemplateKwargs: [(String, TemplateValue)]
    public var path: SpecPath
    /// `--hf-overrides`: settings laid over the model's Hugging Face config (YaRN's
    /// `rope_scaling`, since vLLM 0.11.1 took `--rope-scaling` away), as written.
    public var hfOverrides: [(String, YAMLValue)] = []
    /// `--speculative-config`: speculative decoding (a draft model, n-gram, MTP), as written.
    public var speculativeConfig: [(String, YAMLValue)] = []
    /// `--trust-remote-code`: vLLM imports and runs Python files of the model's repository (a
    /// custom tokenizer, say); HY006 asks for the risk to be accepted.
    public var trustRemoteCode: Bool = false

    /// A scalar value of a chat-template keyword argument.
    public enum TemplateValue: Sendable, Equatable {
        case bool(Bool)
        case int(Int)
        case string(String)
    }
}
