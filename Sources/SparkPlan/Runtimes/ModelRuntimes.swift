import SparkSpec

/// The registered model runtimes: one case each, so a new kind does not compile until it has
/// a runtime, and no lookup can miss.
enum ModelRuntimes {
    static func runtime(_ kind: Runtime.Kind) -> any ModelRuntime {
        switch kind {
        case .vllm: return VLLMRuntime()
        case .ollama: return OllamaRuntime()
        case .llamaCpp: return LlamaCppRuntime()
        }
    }
}
