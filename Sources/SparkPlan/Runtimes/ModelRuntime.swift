import SparkSpec

/// What one model runtime adds to the Plan: the server that serves a model, how LiteLLM calls
/// it and how to tell it is ready. Each runtime is one file in this folder, registered in
/// `ModelRuntimes.all`; emitters render what it adds by runner and never switch on the runtime.
protocol ModelRuntime: Sendable {
    var kind: Runtime.Kind { get }
    /// The compose service serving the model on its head, or nil when launch scripts start it.
    func workload(_ cluster: ClusterPlan) -> Workload?
    /// The compose service's name, which several models may share (one Ollama serves many).
    func serviceName(_ cluster: ClusterPlan) -> String
    /// LiteLLM's `model` parameter: the provider prefix and the name the server knows the model by.
    func litellmModel(_ cluster: ClusterPlan) -> String
    /// The base URL LiteLLM calls, as its provider for this runtime expects it.
    func apiBase(_ cluster: ClusterPlan) -> String
    /// A GET path on the server that answers 200 once it serves.
    var readinessPath: String { get }
}

extension ModelRuntime {
    func serviceName(_ cluster: ClusterPlan) -> String { cluster.headContainer }

    /// The OpenAI-compatible API, which vLLM and llama-server serve under /v1.
    func apiBase(_ cluster: ClusterPlan) -> String { "http://\(cluster.apiHost):\(cluster.port)/v1" }

    /// LiteLLM's generic OpenAI-compatible provider, with the name the server answers to.
    func litellmModel(_ cluster: ClusterPlan) -> String { "openai/\(cluster.servedName)" }
}
