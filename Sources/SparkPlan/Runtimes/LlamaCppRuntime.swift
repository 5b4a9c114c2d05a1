import SparkSpec

/// llama.cpp's `llama-server`, one per model, serving a GGUF file downloaded to the node, with
/// an OpenAI-compatible API. The image's entrypoint is `/app/llama-server` and sets
/// LLAMA_ARG_HOST=0.0.0.0 (ggml-org/llama.cpp .devops/*.Dockerfile), so `--host` is always given.
struct LlamaCppRuntime: ModelRuntime {
    let kind = Runtime.Kind.llamaCpp
    let readinessPath = "/health"
    /// Where the GGUF file's folder is mounted in the container.
    static let modelsMount = "/models"

    func serviceName(_ cluster: ClusterPlan) -> String { "llama-\(cluster.name)" }

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
            volumes: ["\(options.directory.absolute(home: cluster.head.home)):\(Self.modelsMount):ro"], gpus: cluster.head.hardware.gpuVendor,
            gpuIDs: cluster.gpuIDs, manualStart: cluster.start == .manual, path: cluster.path)
    }
}
