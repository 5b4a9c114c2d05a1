import Foundation
import SparkTestSupport
import SparkYAML
import Testing

/// The hand-written files of the source documents have generated counterparts with the same
/// meaning: the same ports, images, flags and keys (by reference). Each test reads the committed
/// tree of the example that stands for a document, so a change to either shows here.
@Suite struct SourceDocumentTests {
    /// A YAML file of a committed tree, as nested values.
    private static func yaml(_ example: String, _ path: String) throws -> YAMLNode {
        let bytes = try #require(FileManager.default.contents(atPath: "\(Fixtures.repositoryRoot)/out/\(example)/\(path)"), "\(path) missing")
        return try #require(YAMLParser.parse(Array(bytes)).root)
    }

    private static func text(_ example: String, _ path: String) throws -> String {
        try String(contentsOfFile: "\(Fixtures.repositoryRoot)/out/\(example)/\(path)", encoding: .utf8)
    }

    private static func value(_ node: YAMLNode?, _ keys: String...) -> YAMLNode? {
        var current = node
        for key in keys { current = current?.mapping?.first { $0.key.scalar == key }?.value }
        return current
    }

    private static func words(_ node: YAMLNode?) -> [String] { node?.sequence?.compactMap(\.scalar) ?? [] }

    /// Document 004: one endpoint on port 4000, a master and a salt key in one env file, no
    /// database, four backends of three runtimes, the 235B started by hand, no fallbacks.
    @Test func oneBoxMatchesTheLiteLLMReadme() throws {
        let stack = "nodes/framework/home/me/framework"
        let compose = try Self.yaml("one-box", "\(stack)/compose.yaml")
        let services = try #require(Self.value(compose, "services")?.mapping)
        let litellm = try #require(Self.value(compose, "services", "litellm"))
        #expect(Self.value(litellm, "image")?.scalar?.hasPrefix("ghcr.io/berriai/litellm:") == true)
        let command = Self.words(Self.value(litellm, "command"))
        #expect(command.firstIndex(of: "--port").map { command[$0 + 1] } == "4000")
        #expect(Self.words(Self.value(litellm, "env_file")) == ["/home/me/framework/.env"])
        let manifest = try Self.text("one-box", "\(stack)/secrets.json")
        #expect(manifest.contains("\"LITELLM_MASTER_KEY\"") && manifest.contains("\"LITELLM_SALT_KEY\"") && manifest.contains("\"0640\""))
        // Four backends of three runtimes, each its own service; only the 235B has a profile.
        let backends = services.compactMap(\.key.scalar).filter { $0 != "litellm" }
        #expect(backends == ["ollama", "llama-qwen3-coder-llama", "vllm-kimi-linear", "llama-qwen3-235b"])
        for name in backends {
            let manual = Self.words(Self.value(compose, "services", name, "profiles")) == ["manual"]
            #expect(manual == (name == "llama-qwen3-235b"), "\(name)")
        }
        let config = try Self.yaml("one-box", "\(stack)/litellm-config.yaml")
        #expect(Self.value(config, "general_settings", "database_url") == nil, "the document has no database")
        #expect(Self.value(config, "router_settings", "num_retries")?.scalar == "0")
        #expect(Self.value(config, "router_settings", "fallbacks") == nil)
        let models = try #require(Self.value(config, "model_list")?.sequence)
        #expect(models.compactMap { Self.value($0, "model_name")?.scalar } == ["qwen3-coder", "qwen3-coder-llama", "kimi-linear", "qwen3-235b"])
        #expect(Self.value(models[0], "litellm_params", "model")?.scalar == "ollama_chat/qwen3-coder:30b")
        let smoke = try Self.text("one-box", "\(stack)/scripts/smoke.sh")
        #expect(smoke.contains("/health/readiness") && smoke.contains("/v1/models") && smoke.contains(". /home/me/framework/.env"))
    }

    /// Document 001: vLLM servers on 8001 to 8003 with the document's flags, LiteLLM on 4000 with
    /// Redis caching and PostgreSQL, NGINX terminating TLS with streaming-friendly proxying.
    @Test func multiModelMatchesTheGatewayGuide() throws {
        let stack = "nodes/spark/home/me/multi-model"
        let compose = try Self.yaml("multi-model", "\(stack)/compose.yaml")
        for (service, port, parser) in [("vllm-gpt-oss-20b", "8001", "openai"), ("vllm-gpt-oss-120b", "8002", "openai"), ("vllm-qwen3-coder-30b", "8003", "qwen3_coder")] {
            let command = Self.words(Self.value(compose, "services", service, "command"))
            let flag = { (name: String) in command.firstIndex(of: name).map { command[$0 + 1] } }
            #expect(flag("--port") == port, "\(service)")
            #expect(flag("--kv-cache-dtype") == "fp8", "\(service)")
            #expect(flag("--tool-call-parser") == parser, "\(service)")
            #expect(command.contains("--enable-auto-tool-choice"), "\(service)")
            #expect(Self.value(compose, "services", service, "deploy", "resources", "reservations", "devices") != nil, "\(service) gets the GPU")
        }
        let config = try Self.yaml("multi-model", "\(stack)/litellm-config.yaml")
        #expect(Self.value(config, "litellm_settings", "cache")?.scalar == "true")
        #expect(Self.value(config, "litellm_settings", "cache_params", "type")?.scalar == "redis")
        #expect(Self.value(config, "litellm_settings", "cache_params", "password")?.scalar == "os.environ/REDIS_PASSWORD")
        #expect(Self.value(config, "general_settings", "database_url")?.scalar == "os.environ/DATABASE_URL")
        let nginx = try Self.text("multi-model", "\(stack)/nginx/litellm.conf")
        for directive in ["proxy_buffering off;", "proxy_http_version 1.1;", "proxy_set_header Connection \"\";", "proxy_read_timeout 1800s;", "keepalive 32;", "listen 127.0.0.1:443 ssl;"] {
            #expect(nginx.contains(directive), "\(directive)")
        }
        #expect(!nginx.contains("Strict-Transport-Security"), "no HSTS with the self-signed certificate")
        let certs = try Self.text("multi-model", "\(stack)/scripts/certs.sh")
        #expect(certs.contains("openssl req -x509"))
    }
}
