import SparkDiagnostics
import SparkSpec

/// A model served by a Ray cluster (or a single node): where its head is and how it is reached.
public struct ClusterPlan: Sendable {
    /// The model as the topology wrote it, for the runtimes that lower it; nothing outside
    /// SparkPlan sees it; they read the properties below.
    let model: Model
    /// The head as the topology wrote it, for the runtimes (its GPUs, its home).
    let headNode: Node
    public let head: ClusterMember
    public let workers: [ClusterMember]
    /// The direct link or fabric that joins the cluster and its callers; nil for a model only its
    /// own node calls.
    public let link: LinkPlan?
    /// The head's address on `link`.
    public let headAddress: IPv4Address?
    /// Where the vLLM API listens: the head's address on the link when other nodes call it, else loopback.
    public let apiHost: String
    /// Nodes other than the head whose LiteLLM calls the API over the link.
    public let callers: [String]
    /// The stack directory on the head.
    public let stackDir: String
    /// The catalog the model takes turns in, if any.
    public var catalog: CatalogPlan? = nil

    public var members: [ClusterMember] { [head] + workers }

    /// The model's key in the topology.
    public var name: String { model.name }
    /// The name clients ask LiteLLM for.
    public var servedName: String { model.servedName }
    /// Where the weights come from (a Hugging Face repository, an Ollama tag, a GGUF file).
    public var source: String { model.source }
    public var weightsGB: Double { model.weightsGB }
    public var port: Int { model.port }
    public var listen: ListenAddress? { model.listen }
    /// The key a model on the tailnet asks its callers for.
    public var apiKey: SecretRef? { model.apiKey }
    public var start: StartPolicy { model.start }
    public var runtime: Runtime { model.runtime }
    public var vllm: VLLMOptions { model.vllm }
    public var llamaCpp: LlamaCppOptions? { model.llamaCpp }
    /// The GPUs the model is given on its node, or nil for all of them.
    public var gpuIDs: [Int]? { model.gpuIDs }
    /// The completion limit LiteLLM is told, if any.
    public var maxTokens: Int? { model.maxTokens }
    /// Owners other than the model's own whose LiteLLM may route it (the model owner agrees).
    public var sharedWith: [String] { model.sharedWith }
    public var tensorParallel: Int { model.cluster.tensorParallel }
    public var pipelineParallel: Int { model.cluster.pipelineParallel }
    public var rayPort: Int { model.cluster.rayPort }
    /// Where the model is written in the topology, for findings about it.
    public var path: SpecPath { model.path }
    public var clusterPath: SpecPath { model.cluster.path }
    /// The runtime that lowers the model: its server, its LiteLLM provider, its readiness check.
    var lowering: any ModelRuntime { ModelRuntimes.runtime(model.runtime.kind) }
    /// The endpoint every LiteLLM uses: the address the server listens on, which is the head's
    /// link address, never localhost, when other nodes call it; in the form the runtime's
    /// LiteLLM provider expects.
    public var apiBase: String { lowering.apiBase(self) }
    /// LiteLLM's `model` parameter for this model: provider prefix and the name the server knows.
    public var litellmModel: String { lowering.litellmModel(self) }
    /// A URL on the server that answers 200 once it serves.
    public var readinessURL: String {
        // vLLM's key guards /v1 alone: a model on the tailnet is ready when /health answers.
        isKeyed ? "http://\(apiHost):\(model.port)/health" : "http://\(apiHost):\(model.port)\(lowering.readinessPath)"
    }
    /// True for a model that listens on the tailnet and asks its callers for a key.
    public var isKeyed: Bool { model.listen == .tailnet && model.apiKey != nil }
    /// True when launch scripts start the model (`docker run`), false for a compose service.
    public var isScripted: Bool { model.runtime.runner == .dockerRun }
    /// The compose service serving the model, for a model compose runs.
    public var serviceName: String? { isScripted ? nil : lowering.serviceName(self) }
    /// The compose service of the model's server, with its command, for a model compose runs.
    public var workload: Workload? { isScripted ? nil : lowering.workload(self) }
    /// `vllm serve`'s options after the model, one group of words per option.
    public var vllmServeArguments: [[String]] { VLLMRuntime.serveArguments(self) }
    /// Where workers find the head's GCS; only multi-node clusters, which always have a link, use it.
    public var rayAddress: String { "\(headAddress?.description ?? PlanResolver.loopback):\(model.cluster.rayPort)" }
    public var isMultiNode: Bool { !workers.isEmpty }

    /// The Ray every member of a multi-node cluster installs when the topology pins none:
    /// token authentication arrived in 2.52, and 2.50 to 2.54 bind the dashboard agent's gRPC
    /// and the runtime-env agent to the node address (2.55 moved the agent's gRPC back to every
    /// address). No release binds GCS and raylet to the node address: ray-project/ray #59852
    /// did, and was reverted by #60012 before any release, so ufw and the tailnet policy keep them in.
    public static let defaultRayVersion = "2.54.1"

    /// The Ray version the cluster's image installs, or nil for a single-node model, which needs no Ray.
    public var rayVersion: String? { isMultiNode ? model.runtime.rayVersion ?? Self.defaultRayVersion : nil }

    /// The image the containers run: a multi-node cluster's image with Ray added, or the upstream image.
    public var image: String { isMultiNode ? model.runtime.image : model.runtime.baseImage }

    /// The recipe of a multi-node cluster's image, named after the image's repository
    /// (`vllm-spark:26.04` → `Dockerfile.vllm-spark`), or nil for a single-node model.
    public var dockerfileName: String? {
        guard isMultiNode else { return nil }
        let repository = ImageReference(model.runtime.image).repository
        return "Dockerfile." + repository.replacingAll("/", with: "-").replacingAll(":", with: "-")
    }
    /// The executor the topology chose, or Ray for a multi-node cluster; nil leaves vLLM's default.
    public var executorBackend: String? {
        model.vllm.distributedExecutorBackend ?? (isMultiNode ? "ray" : nil)
    }
    public var headContainer: String { "vllm-\(model.name)" }
    public var workerContainer: String { "vllm-\(model.name)-worker" }
    /// The Ray dashboard and its job API, which run code; heads start with `--include-dashboard=false`.
    public static let dashboardPort = 8265
    /// Ray's client server (`ray://`), which runs whatever code a client sends.
    public static let rayClientPort = 10001
    /// The per-node dashboard agent's HTTP port, which also accepts jobs.
    public static let dashboardAgentPort = 52365

    /// Ports that only the cluster's own nodes may reach, over its link, with what listens there:
    /// the unauthenticated vLLM API and, for a Ray cluster, every Ray listener that runs code.
    public var clusterOnlyPorts: [(port: Int, what: String)] {
        var ports = [(model.port, "the vLLM API of model '\(model.name)'")]
        if isMultiNode {
            ports += [
                (model.cluster.rayPort, "Ray's GCS of model '\(model.name)'"),
                (Self.dashboardPort, "the Ray dashboard and job API of model '\(model.name)'"),
                (Self.rayClientPort, "the Ray client server of model '\(model.name)'"),
                (Self.dashboardAgentPort, "the Ray dashboard agent of model '\(model.name)'"),
            ]
        }
        return ports
    }
}
