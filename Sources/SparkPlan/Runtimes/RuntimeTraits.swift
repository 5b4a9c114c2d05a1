import SparkDiagnostics

/// What a model's server holds of the memory it runs in, as the memory rules count it.
public enum MemoryClaim: Sendable {
    /// It reserves this fraction of each GPU's memory at start, weights and KV cache together
    /// (vLLM's `gpu_memory_utilization`), written at `path`.
    case fraction(Double, path: SpecPath)
    /// It holds its weights and grows its KV cache as requests need (Ollama, llama.cpp).
    case weights
}

/// How a server spreads one model over GPUs.
public enum Parallelism: Sendable {
    /// One rank per GPU: tensor × pipeline parallel must equal the GPUs it is given (vLLM).
    case rankPerGPU
    /// It splits the model over the GPUs it sees, however many (Ollama, llama.cpp).
    case spreadsOverVisibleGPUs
}
