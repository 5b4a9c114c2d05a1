import SparkSpec

/// llama.cpp's `llama-server`, one per model, serving a GGUF file downloaded to the node, with
/// an OpenAI-compatible API. The image's entrypoint is `/app/llama-server` and sets
/// LLAMA_ARG_HOST=0.0.0.0 (ggml-org/llama.cpp .devops/*.Dockerfile), so `--host` is always given.
struct LlamaCppRuntime: ModelRuntime {
    let kind = Runtime.Kind.llamaCpp
    let readinessPath = "/health"
    let upstreamBind = UpstreamBinds.llamaServer.text
    let parallelism = Parallelism.spreadsOverVisibleGPUs
    let imageKey = "image"
    // llama-server reads tool calls through the GGUF's chat template with --jinja, which every
    // generated llama-server command passes; no parser is named.
    let toolCallsNeedAParser = false

    func memory(_ cluster: ClusterPlan) -> MemoryClaim { .weights }

    /// llama-server's --parallel slots.
    func slots(_ cluster: ClusterPlan) -> (count: Int, key: String)? { cluster.llamaCpp.map { ($0.parallel, "llama_cpp.parallel") } }
    /// Where the GGUF file's folder is mounted in the container.
    static let modelsMount = "/models"

    func serviceName(_ cluster: ClusterPlan) -> String { "llama-\(cluster.name)" }

    /// The GGUF file, or every part of a split one (`…-00001-of-00003.gguf`), into the folder the
    /// server mounts, at the model's revision: llama-server loads the file it is given, and its own
    /// `-hf repo:quant` download takes no revision, so the pin is the download's.
    func weights(_ cluster: ClusterPlan) -> ModelWeights {
        guard let options = cluster.llamaCpp else {
            return ModelWeights(fetch: .huggingFace(repository: cluster.source, files: nil, directory: nil), startTimeout: 600, revision: cluster.revision)
        }
        return ModelWeights(
            fetch: .huggingFace(
                repository: cluster.source, files: Self.files(options.gguf), directory: options.directory.absolute(home: cluster.head.home)),
            startTimeout: 600, revision: cluster.revision)
    }

    /// llama-server on a GPU it cannot use (a Vulkan image without the driver's libraries, say)
    /// serves from the CPU and answers /health all the same; its log says where the layers went:
    /// "load_tensors: offloaded N/M layers to GPU" (src/llama-model.cpp).
    func gpuCheck(_ cluster: ClusterPlan) -> (what: String, command: String)? {
        guard cluster.head.hardware.gpuVendor != .none, let options = cluster.llamaCpp, let service = cluster.serviceName else { return nil }
        // --n-gpu-layers 999 (the default) asks for every layer; a smaller number for some.
        return options.gpuLayers >= 999
            ? ("llama-server put every layer of \(cluster.name) on the GPU", "docker_log_has \(service) 'offloaded ([0-9]+)/\\1 layers to GPU'")
            : ("llama-server put layers of \(cluster.name) on the GPU", "docker_log_has \(service) 'offloaded [1-9][0-9]*/[0-9]+ layers to GPU'")
    }

    /// The file, or a glob over every part of a split GGUF.
    static func files(_ file: String) -> ModelWeights.Files {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        let marker = "-00001-of-"
        guard name.hasSuffix(".gguf"), let start = name.indices.first(where: { name[$0...].hasPrefix(marker) }) else { return .file(file) }
        let prefix = String(file.dropLast(name.count)) + String(name[..<start])
        return .matching("\(prefix)-*-of-\(name[name.index(start, offsetBy: marker.count)...])")
    }

    func workload(_ cluster: ClusterPlan) -> Workload? {
        guard let options = cluster.llamaCpp else { return nil }
        var command = [
            "--model", "\(Self.modelsMount)/\(options.gguf)",
            "--alias", cluster.servedName,
            "--host", cluster.apiHost,
            "--port", String(cluster.port),
            "--ctx-size", String(options.contextSize),
            "--parallel", String(options.parallel),
            // The model's own chat template, which tool calls need.
            "--jinja",
        ]
        if cluster.head.hardware.gpuVendor != .none { command += ["--n-gpu-layers", String(options.gpuLayers)] }
        return Workload(
            name: serviceName(cluster), image: cluster.image, command: command,
            mounts: [.bind(options.directory.absolute(home: cluster.head.home), at: Self.modelsMount, readOnly: true)], gpus: cluster.head.hardware.gpuVendor,
            gpuIDs: cluster.gpuIDs, manualStart: cluster.start == .manual,
            // The images' HEALTHCHECK curls localhost:8080/health whatever --port says
            // (ggml-org/llama.cpp .devops/*.Dockerfile): on another port the container reads
            // unhealthy, or healthy because something else answers on 8080 of the host network.
            healthcheck: ["CMD", "curl", "-f", "http://\(cluster.apiHost):\(cluster.port)/health"], path: cluster.path)
    }
}
