import SparkDiagnostics

/// A model served by a runtime on one node or a cluster of nodes.
public struct Model: Sendable {
    public var name: String
    /// The Hugging Face repository the weights come from.
    public var source: String
    /// The name clients ask for; defaults to the model's key.
    public var servedName: String
    public var weightsGB: Double
    public var runtime: Runtime
    public var cluster: Cluster
    public var port: Int
    /// Where the API listens; nil lets spark-gen choose (the head's DAC address when other nodes call it).
    public var listen: ListenAddress?
    public var vllm: VLLMOptions
    /// `max_tokens` LiteLLM sends by default, if set.
    public var maxTokens: Int?
    /// Owners with no node in the cluster whose LiteLLM may call this model directly; the
    /// model's side of a cross-owner route (the caller's side is `owners.<o>.models`).
    public var sharedWith: [String]
    public var path: SpecPath
}

/// The container image a model runs in.
public struct Runtime: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case vllm }

    public var kind: Kind
    /// The upstream image, e.g. NVIDIA's NGC vLLM image.
    public var baseImage: String
    /// The image spark-gen's Dockerfile builds on top of it, with Ray added.
    public var image: String
    /// The Ray version to install, so head and workers never drift apart.
    public var rayVersion: String?
    /// The cluster's Ray token (Ray 2.52 and later), by reference; every member holds a copy.
    public var rayToken: SecretRef?
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
