import SparkSpec

/// Ollama: one server per port, which serves every Ollama model of its node and pulls each into
/// its volume. LiteLLM calls it through its own chat API (`ollama_chat/`), which keeps tool calls.
struct OllamaRuntime: ModelRuntime {
    let kind = Runtime.Kind.ollama
    /// Answers "Ollama is running" once the server is up.
    let readinessPath = "/api/version"
    static let defaultPort = Runtime.Kind.ollama.defaultPort

    /// `ollama` on the default port, `ollama-PORT` for a second server.
    func serviceName(_ cluster: ClusterPlan) -> String {
        cluster.port == Self.defaultPort ? "ollama" : "ollama-\(cluster.port)"
    }

    func workload(_ cluster: ClusterPlan) -> Workload? {
        Workload(
            name: serviceName(cluster), image: cluster.image,
            // The image sets OLLAMA_HOST=0.0.0.0:11434; host networking would put that on every address.
            environment: [("OLLAMA_HOST", "\(cluster.apiHost):\(cluster.port)")]
                + (cluster.ollama?.contextLength.map { [("OLLAMA_CONTEXT_LENGTH", String($0))] } ?? []),
            mounts: [.volume(serviceName(cluster), at: "/root/.ollama")], gpus: cluster.head.hardware.gpuVendor,
            gpuIDs: cluster.gpuIDs, manualStart: cluster.start == .manual, path: cluster.runtime.path)
    }

    func litellmModel(_ cluster: ClusterPlan) -> String { "ollama_chat/\(cluster.source)" }

    let upstreamBind = UpstreamBinds.ollama.text
    let parallelism = Parallelism.spreadsOverVisibleGPUs
    let imageKey = "image"
    // Ollama reads tool calls with the model's own template.
    let toolCallsNeedAParser = false

    func memory(_ cluster: ClusterPlan) -> MemoryClaim { .weights }

    /// Ollama states no slots: OLLAMA_NUM_PARALLEL is its own choice unless set, and spark-gen sets none.
    func slots(_ cluster: ClusterPlan) -> (count: Int, key: String)? { nil }

    /// Ollama lists a model by the name it was pulled as.
    func listedName(_ cluster: ClusterPlan) -> String { cluster.source }

    /// The server pulls the model into its volume once it is up.
    func weights(_ cluster: ClusterPlan) -> ModelWeights {
        ModelWeights(fetch: .serverPull(command: ["ollama", "pull", cluster.source]), startTimeout: 120)
    }

    /// Ollama's own API, which `ollama_chat/` calls at `/api/chat`: no `/v1`.
    func apiBase(_ cluster: ClusterPlan) -> String { "http://\(cluster.apiHost):\(cluster.port)" }
}
