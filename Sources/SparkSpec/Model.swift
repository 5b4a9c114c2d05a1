import SparkDiagnostics

/// A model served by a runtime on one node or a cluster of nodes.
public struct Model: Sendable {
    public var name: String
    /// Where the weights come from: a Hugging Face repository, or for Ollama the model to pull.
    public var source: String
    /// The repository's revision the weights, tokenizer and any code are fetched at (a commit,
    /// a branch or a tag); nil fetches the default branch as it is on the day. Ollama has none.
    public var revision: String? = nil
    /// The name clients ask for; defaults to the model's key.
    public var servedName: String
    public var weightsGB: Double
    public var runtime: Runtime
    public var cluster: Cluster
    public var port: Int
    /// Where the API listens; nil lets spark-gen choose (the head's DAC address when other nodes call it).
    public var listen: ListenAddress?
    public var vllm: VLLMOptions
    /// The llama-server settings, for a llama.cpp model.
    public var llamaCpp: LlamaCppOptions?
    /// Ollama's server settings, for an Ollama model.
    public var ollama: OllamaOptions? = nil
    /// Whether the model starts with the stack.
    public var start: StartPolicy
    /// The GPUs (by index) a compose-run model is given; nil gives it every GPU of the node.
    public var gpuIDs: [Int]? = nil
    /// The same GPUs by NVIDIA UUID (`GPU-…`), which do not move when the cards' order changes
    /// (a Thunderbolt eGPU); the container is given these, the rules count the indices.
    public var gpuUUIDs: [String]? = nil
    /// `max_tokens` LiteLLM sends by default, if set.
    public var maxTokens: Int?
    /// Owners with no node in the cluster whose LiteLLM may call this model directly; the
    /// model's side of a cross-owner route (the caller's side is `owners.<o>.models`).
    public var sharedWith: [String]
    public var path: SpecPath
    /// The catalog the model takes turns in, if any; its port and start policy then come from there.
    public var catalog: String? = nil
    /// Whether the model reads images: a request that carries one may only fall back to another that does.
    public var vision: Bool = false
    /// The gateway's cap on the model's requests in flight; past it LiteLLM answers 429 at once,
    /// which sends the request down the fallbacks instead of queueing it.
    public var maxParallelRequests: Int? = nil
    /// The models (keys in 'models') a failed or refused request goes to, in order.
    public var fallbacks: [String] = []
    /// A model that never falls back: when it is down its callers get an error, never a lesser answer.
    public var senior: Bool = false
    /// Where a request without an image spills first when the model is busy, before `fallbacks`
    /// (document 003: the vision model's text goes to a fast blind model); a router that checks
    /// for images reads it from routing_policy.yaml, LiteLLM cannot.
    public var textFallbacks: [String] = []
    /// The key vLLM asks its callers for (VLLM_API_KEY), by reference: required for a model that
    /// listens on the tailnet, where a port without one would answer any tagged device.
    public var apiKey: SecretRef? = nil
}

/// What serves a model: the runtime, the image it runs in and what starts it.
public struct Runtime: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case vllm
        case ollama
        case llamaCpp = "llama-cpp"

        /// The port the runtime's server listens on unless the model says otherwise.
        public var defaultPort: Int {
            switch self {
            case .vllm: return 8000
            case .ollama: return 11434
            case .llamaCpp: return 8080
            }
        }

        /// How the runtime is named in output.
        public var title: String {
            switch self {
            case .vllm: return "vLLM"
            case .ollama: return "Ollama"
            case .llamaCpp: return "llama.cpp"
            }
        }
    }

    /// What starts the model's containers.
    public enum Runner: String, Sendable, CaseIterable {
        /// Launch scripts that `docker run` the head and each worker (vLLM; any cluster of nodes).
        case dockerRun = "docker-run"
        /// A service of the node's compose.yaml (one node only).
        case compose
    }

    public var kind: Kind
    public var runner: Runner
    /// The upstream image, e.g. NVIDIA's NGC vLLM image; for Ollama and llama.cpp the image run.
    public var baseImage: String
    /// The image the containers run: for a multi-node vLLM cluster the one spark-gen's
    /// Dockerfile builds on top of `baseImage` with Ray added; otherwise `baseImage`.
    public var image: String
    /// The Ray version to install, so head and workers never drift apart.
    public var rayVersion: String?
    /// The cluster's Ray token (Ray 2.52 and later), by reference; every member holds a copy.
    public var rayToken: SecretRef?
    public var path: SpecPath
}

/// Whether a model starts with the stack or only when the operator starts it.
public enum StartPolicy: String, Sendable, CaseIterable {
    /// Started by the runbook and at boot.
    case auto
    /// Left stopped (a compose profile); the operator stops others and starts it by hand, for a
    /// model too large to run beside the rest.
    case manual
}

/// The `llama-server` settings of a llama.cpp model.
public struct LlamaCppOptions: Sendable {
    /// The GGUF file's path in the model's `source` repository (the first part of a split model).
    public var gguf: String
    /// The folder on the node the repository's files are downloaded to and served from.
    public var directory: NodePath
    /// `--ctx-size`: the KV cache's tokens, shared by the slots.
    public var contextSize: Int
    /// `--parallel`: how many requests it serves at once.
    public var parallel: Int
    /// `--n-gpu-layers`: layers offloaded to the GPU (999: all).
    public var gpuLayers: Int
    public var path: SpecPath
}

/// The server settings of an Ollama model. One server serves every Ollama model on its port, so
/// they are the server's: models that share one must agree.
public struct OllamaOptions: Sendable {
    /// `OLLAMA_CONTEXT_LENGTH`: the context a request gets unless it asks for another (Ollama
    /// 0.12 gives 4096 otherwise, too little for a coding tool).
    public var contextLength: Int?
    public var path: SpecPath
}

/// Which nodes run a model and how it is split across them.
public struct Cluster: Sendable {
    public var head: String
    public var workers: [String]
    /// The direct link or fabric the cluster uses, when its nodes share more than one.
    public var link: String?
    public var tensorParallel: Int
    public var pipelineParallel: Int
    public var rayPort: Int
    public var path: SpecPath
}
