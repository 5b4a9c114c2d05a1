import SparkDiagnostics
import SparkSpec

/// A model served by a Ray cluster (or a single node): where its head is and how it is reached.
///
/// A class, as `NodePlan` is: every role a node plays holds its cluster, and a struct of this
/// size would be copied, every field retained, each time.
public final class ClusterPlan: Sendable {
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
    public let catalog: CatalogPlan?

    public var members: [ClusterMember] { [head] + workers }

    /// The model's key in the topology.
    public let name: String
    /// The name clients ask LiteLLM for.
    public let servedName: String
    /// Where the weights come from (a Hugging Face repository, an Ollama tag, a GGUF file).
    public let source: String
    /// The repository revision the weights (and tokenizer and code) are fetched at, if written.
    public let revision: String?
    public let weightsGB: Double
    public let port: Int
    public let listen: ListenAddress?
    /// The key a model on the tailnet asks its callers for.
    public let apiKey: SecretRef?
    public let start: StartPolicy
    public let runtime: Runtime
    public let vllm: VLLMOptions
    public let llamaCpp: LlamaCppOptions?
    public let ollama: OllamaOptions?
    /// The GPUs the model is given on its node, or nil for all of them.
    public let gpuIDs: [Int]?
    /// The same GPUs by UUID, when the topology gives them.
    public let gpuUUIDs: [String]?
    /// The completion limit LiteLLM is told, if any.
    public let maxTokens: Int?
    /// Owners other than the model's own whose LiteLLM may route it (the model owner agrees).
    public let sharedWith: [String]
    public let tensorParallel: Int
    public let pipelineParallel: Int
    public let rayPort: Int
    /// Where the model is written in the topology, for findings about it.
    public let path: SpecPath
    public let clusterPath: SpecPath
    /// Whether the model reads images.
    public let vision: Bool
    /// Models LiteLLM tries, in order, when this one fails or is at its cap.
    public let fallbacks: [String]
    /// Where a request without an image spills first, for a router in front of LiteLLM.
    public let textFallbacks: [String]
    /// A senior model never falls back: its callers want its answer or an error.
    public let senior: Bool
    /// The cap the topology writes (RoutingTarget has the cap in force).
    public let maxParallelRequests: Int?
    init(
        model: Model, head: Node, workers: [Node], link: LinkPlan?, headAddress: IPv4Address?, apiHost: String, callers: [String],
        stackDir: String, catalog: CatalogPlan?, imageFact: ImageFact?
    ) {
        self.head = ClusterMember(head)
        self.workers = workers.map(ClusterMember.init)
        self.link = link
        self.headAddress = headAddress
        self.apiHost = apiHost
        self.callers = callers
        self.stackDir = stackDir
        self.catalog = catalog
        name = model.name
        servedName = model.servedName
        source = model.source
        revision = model.revision
        weightsGB = model.weightsGB
        port = model.port
        listen = model.listen
        apiKey = model.apiKey
        start = model.start
        runtime = model.runtime
        vllm = model.vllm
        llamaCpp = model.llamaCpp
        ollama = model.ollama
        gpuIDs = model.gpuIDs
        gpuUUIDs = model.gpuUUIDs
        maxTokens = model.maxTokens
        sharedWith = model.sharedWith
        tensorParallel = model.cluster.tensorParallel
        pipelineParallel = model.cluster.pipelineParallel
        rayPort = model.cluster.rayPort
        path = model.path
        clusterPath = model.cluster.path
        vision = model.vision
        fallbacks = model.fallbacks
        textFallbacks = model.textFallbacks
        senior = model.senior
        maxParallelRequests = model.maxParallelRequests
        // `ImageFacts.fact(of: model.runtime.baseImage)`, which the resolver reads once per image.
        self.imageFact = imageFact
    }

    /// How many requests the server runs at once, and the key that says so, when stated.
    public var slots: (count: Int, key: String)? { lowering.slots(self) }
    /// What the server holds of the memory it runs in.
    public var memoryClaim: MemoryClaim { lowering.memory(self) }
    /// How the server spreads the model over GPUs.
    public var parallelism: Parallelism { lowering.parallelism }
    /// Whether a request with tools needs the server started with a tool-call parser.
    public var toolCallsNeedAParser: Bool { lowering.toolCallsNeedAParser }
    /// Where the topology names the image pulled from a registry.
    public var imagePath: SpecPath { runtime.path / lowering.imageKey }
    /// What the image the model pulls is, when the facts layer knows it. Read once: several
    /// rules ask it of every model, and of every member of a cluster.
    public let imageFact: ImageFact?
    /// The gateway's cap (`RoutingTarget.cap`); Ollama and a vLLM without max_num_seqs state no slots.
    public var cap: Int? { RoutingTarget.cap(declared: maxParallelRequests, fallbacks: fallbacks, slots: slots?.count) }
    /// The runtime that lowers the model: its server, its LiteLLM provider, its readiness check.
    var lowering: any ModelRuntime { ModelRuntimes.runtime(runtime.kind) }
    /// The endpoint every LiteLLM uses: the address the server listens on, which is the head's
    /// link address, never localhost, when other nodes call it; in the form the runtime's
    /// LiteLLM provider expects.
    public var apiBase: String { lowering.apiBase(self) }
    /// LiteLLM's `model` parameter for this model: provider prefix and the name the server knows.
    public var litellmModel: String { lowering.litellmModel(self) }
    /// A URL on the server that answers 200 once it serves.
    public var readinessURL: String {
        // vLLM's key guards /v1 alone: a model on the tailnet is ready when /health answers.
        isKeyed ? "http://\(apiHost):\(port)/health" : "http://\(apiHost):\(port)\(lowering.readinessPath)"
    }
    /// True for a model that listens on the tailnet and asks its callers for a key.
    public var isKeyed: Bool { listen == .tailnet && apiKey != nil }
    /// True when launch scripts start the model (`docker run`), false for a compose service.
    public var isScripted: Bool { runtime.runner == .dockerRun }
    /// The id the server's `/v1/models` lists the model under.
    public var listedName: String { lowering.listedName(self) }
    /// Where the runtime's upstream image listens unless told otherwise, as the runbook says it.
    public var upstreamBind: String { lowering.upstreamBind }
    /// A check that the running server put the model on the GPU, where the runtime can fall back quietly.
    public var gpuCheck: (what: String, command: String)? { lowering.gpuCheck(self) }
    /// How the weights reach the head, and how long a first start may take.
    public var weights: ModelWeights { lowering.weights(self) }
    /// The compose service serving the model, for a model compose runs.
    public var serviceName: String? { isScripted ? nil : lowering.serviceName(self) }
    /// The compose service of the model's server, with its command, for a model compose runs.
    public var workload: Workload? {
        guard !isScripted, var workload = lowering.workload(self) else { return nil }
        workload.gpuUUIDs = gpuUUIDs
        return workload
    }
    /// `vllm serve`'s options after the model, one group of words per option.
    public var vllmServeArguments: [[String]] { VLLMRuntime.serveArguments(self) }
    /// Where workers find the head's GCS; only multi-node clusters, which always have a link, use it.
    public var rayAddress: String { "\(headAddress?.description ?? PlanResolver.loopback):\(rayPort)" }
    public var isMultiNode: Bool { !workers.isEmpty }

    /// The Ray every member of a multi-node cluster installs when the topology pins none:
    /// token authentication arrived in 2.52, and 2.50 to 2.54 bind the dashboard agent's gRPC
    /// and the runtime-env agent to the node address (2.55 moved the agent's gRPC back to every
    /// address). No release binds GCS and raylet to the node address: ray-project/ray #59852
    /// did, and was reverted by #60012 before any release, so ufw and the tailnet policy keep them in.
    public static let defaultRayVersion = "2.54.1"

    /// The Ray version the cluster's image installs, or nil for a single-node model, which needs no Ray.
    public var rayVersion: String? { isMultiNode ? runtime.rayVersion ?? Self.defaultRayVersion : nil }

    /// The image the containers run: a multi-node cluster's image with Ray added, or the upstream image.
    public var image: String { isMultiNode ? runtime.image : runtime.baseImage }

    /// The recipe of a multi-node cluster's image, named after the image's repository
    /// (`vllm-spark:26.04` → `Dockerfile.vllm-spark`), or nil for a single-node model.
    public var dockerfileName: String? {
        guard isMultiNode else { return nil }
        let repository = ImageReference(runtime.image).repository
        return "Dockerfile." + repository.replacingAll("/", with: "-").replacingAll(":", with: "-")
    }
    /// The executor the topology chose, or Ray for a multi-node cluster; nil leaves vLLM's default.
    public var executorBackend: String? {
        vllm.distributedExecutorBackend ?? (isMultiNode ? "ray" : nil)
    }
    public var headContainer: String { "vllm-\(name)" }
    public var workerContainer: String { "vllm-\(name)-worker" }
    /// The Ray dashboard and its job API, which run code; heads start with `--include-dashboard=false`.
    public static let dashboardPort = 8265
    /// Ray's client server (`ray://`), which runs whatever code a client sends.
    public static let rayClientPort = 10001
    /// The per-node dashboard agent's HTTP port, which also accepts jobs.
    public static let dashboardAgentPort = 52365

    /// Ray's listeners on every member besides the head's GCS, each pinned with its `ray start`
    /// flag (ray-project/ray@ray-2.54.1:python/ray/scripts/scripts.py); unpinned, the raylet's
    /// node and object managers and the runtime-env agent take random ports. Where each binds
    /// is what Ray 2.54.1 did in proof/ray_check.py: the raylet on every address, the agent on
    /// --node-ip-address. The ports follow the cluster's ray_port, a thousand apart, so that two
    /// clusters on one node with neighbouring ray_ports (6379, 6380) do not collide; CL008
    /// reports the clusters that still do.
    public var rayNodeListeners: [(name: String, flag: String, port: Int, everyAddress: Bool)] {
        [
            ("ray node manager", "--node-manager-port", rayPort + 1000, true),
            ("ray object manager", "--object-manager-port", rayPort + 2000, true),
            ("ray runtime env agent", "--runtime-env-agent-port", rayPort + 3000, false),
        ]
    }
    /// The ports Ray's worker processes bind, one each, on every address: Ray's own defaults
    /// (scripts.py: --min-worker-port 10002, --max-worker-port 19999), written out so that a
    /// Ray release cannot move them; the cluster peer reaches them through its every-port rule.
    public static let rayWorkerPorts = 10002...19999
    /// The `ray start` flags that pin every port above, for heads and workers alike.
    public var rayPortFlags: [String] {
        rayNodeListeners.map { "\($0.flag)=\($0.port)" }
            + ["--min-worker-port=\(Self.rayWorkerPorts.lowerBound)", "--max-worker-port=\(Self.rayWorkerPorts.upperBound)"]
    }

    /// Ports that only the cluster's own nodes may reach, over its link, with what listens there:
    /// the unauthenticated vLLM API and, for a Ray cluster, every Ray listener that runs code.
    public var clusterOnlyPorts: [(port: Int, what: String)] {
        var ports = [(port, "the vLLM API of model '\(name)'")]
        if isMultiNode {
            ports += [
                (rayPort, "Ray's GCS of model '\(name)'"),
                (Self.dashboardPort, "the Ray dashboard and job API of model '\(name)'"),
                (Self.rayClientPort, "the Ray client server of model '\(name)'"),
                (Self.dashboardAgentPort, "the Ray dashboard agent of model '\(name)'"),
            ]
        }
        return ports
    }
}
