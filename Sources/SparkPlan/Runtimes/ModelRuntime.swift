import SparkSpec

/// What one model runtime adds to the Plan: the server that serves a model, how LiteLLM calls
/// it and how to tell it is ready. Each runtime is one file in this folder, registered in
/// `ModelRuntimes.runtime(_:)`; emitters render what it adds by runner and never switch on the runtime.
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
    /// How the weights reach the node, for a model compose runs, and how long a first start takes.
    func weights(_ cluster: ClusterPlan) -> ModelWeights
    /// The id `/v1/models` lists the model under.
    func listedName(_ cluster: ClusterPlan) -> String
    /// Where the upstream image listens unless told otherwise, as the runbook says it.
    var upstreamBind: String { get }
    /// A check that the running server put the model on the GPU, for a server that falls back
    /// to the CPU quietly: what it proves, and a command that succeeds when it holds.
    func gpuCheck(_ cluster: ClusterPlan) -> (what: String, command: String)?

    // What the rules count. No defaults: a runtime that does not say does not compile.

    /// What the server holds of its node's (or its GPUs') memory.
    func memory(_ cluster: ClusterPlan) -> MemoryClaim
    /// How it spreads a model over GPUs.
    var parallelism: Parallelism { get }
    /// How many requests it runs at once, and the key that says so, when stated.
    func slots(_ cluster: ClusterPlan) -> (count: Int, key: String)?
    /// The runtime's key that names the image pulled from a registry.
    var imageKey: String { get }
    /// Whether the server answers a request that carries tools only when it was started with a
    /// tool-call parser (vLLM: HTTP 400 without --enable-auto-tool-choice and --tool-call-parser).
    var toolCallsNeedAParser: Bool { get }
}

extension ModelRuntime {
    func serviceName(_ cluster: ClusterPlan) -> String { cluster.headContainer }

    /// The OpenAI-compatible API, which vLLM and llama-server serve under /v1.
    func apiBase(_ cluster: ClusterPlan) -> String { "http://\(cluster.apiHost):\(cluster.port)/v1" }

    /// LiteLLM's generic OpenAI-compatible provider, with the name the server answers to.
    func litellmModel(_ cluster: ClusterPlan) -> String { "openai/\(cluster.servedName)" }

    /// vLLM and Ollama need no check of their own: vLLM stops without a GPU, and Ollama loads a
    /// model only when asked.
    func gpuCheck(_ cluster: ClusterPlan) -> (what: String, command: String)? { nil }

    /// The alias the server was given: vLLM's `--served-model-name`, llama-server's `--alias`.
    func listedName(_ cluster: ClusterPlan) -> String { cluster.servedName }

    /// The repository into the Hugging Face cache, which the server mounts, without the copies
    /// vLLM never loads: `original/` (its load config ignores `original/**/*` by default; Meta's
    /// and gpt-oss's repositories repeat every weight there) and `metal/` (gpt-oss's Apple copy).
    /// The last `--exclude` is the one an older hf (0.34, one pattern per flag) keeps.
    func weights(_ cluster: ClusterPlan) -> ModelWeights {
        ModelWeights(
            fetch: .huggingFace(repository: cluster.source, files: nil, excluding: ["metal/*", "original/*"], directory: nil), startTimeout: 1800,
            revision: cluster.revision, companions: draftRepository(cluster).map { [$0] } ?? [])
    }

    /// The draft model a `speculative_config` names by repository, at the revision it gives:
    /// vLLM's SpeculativeConfig has `model`, `revision` and `code_revision` (vllm/config/
    /// speculative.py, v0.11.2 to v0.20.1) and loads the draft through the Hugging Face cache
    /// like the model. A path (`/…`, `./…`) is the operator's own files; a method without a
    /// model (ngram, mtp) loads nothing more.
    func draftRepository(_ cluster: ClusterPlan) -> ModelWeights.Companion? {
        func text(_ key: String) -> String? {
            guard case .string(let value)? = cluster.vllm.speculativeConfig.first(where: { $0.0 == key })?.1 else { return nil }
            return value
        }
        guard let model = text("model"), !model.hasPrefix("/"), !model.hasPrefix("."), !model.hasPrefix("~"),
            model.split(separator: "/").count == 2
        else { return nil }
        let revision = text("revision")
        return ModelWeights.Companion(repository: model, revision: revision, role: "the speculative-decoding draft")
    }
}
