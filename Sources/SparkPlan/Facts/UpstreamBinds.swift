/// Where each daemon listens unless told otherwise, as the runbook says it, with the source.
/// spark-gen always passes a bind address; these say why it must.
public struct UpstreamBind: Sendable {
    public let program: Program
    public let text: String
    public let source: String
}

public enum UpstreamBinds {
    public static let vllm = UpstreamBind(
        program: .vllm, text: "`vllm serve` binds every address unless given `--host`",
        source: "vllm-project/vllm vllm/entrypoints/openai/cli_args.py (host: None, which uvicorn binds on every address)")
    public static let ollama = UpstreamBind(
        program: .ollama, text: "Ollama's image sets `OLLAMA_HOST=0.0.0.0:11434`",
        source: "ollama/ollama Dockerfile (ENV OLLAMA_HOST=0.0.0.0:11434)")
    public static let llamaServer = UpstreamBind(
        program: .llamaServer, text: "llama.cpp's server images set `LLAMA_ARG_HOST=0.0.0.0`",
        source: "ggml-org/llama.cpp .devops/*.Dockerfile (ENV LLAMA_ARG_HOST=0.0.0.0)")
}
