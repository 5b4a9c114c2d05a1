/// The upstream programs spark-gen deploys, as the facts layer names them.
public enum Program: String, Sendable, CaseIterable {
    case vllm = "vLLM"
    case llamaServer = "llama.cpp's llama-server"
    case ollama = "Ollama"
    case litellm = "LiteLLM"
    case openWebUI = "Open WebUI"
    case n8n = "n8n"
    case hermesWebUI = "Hermes WebUI"
    case postgres = "PostgreSQL"
    case redis = "Redis"
    case nginx = "NGINX"
    case speechNIM = "NVIDIA Speech NIM"
}
