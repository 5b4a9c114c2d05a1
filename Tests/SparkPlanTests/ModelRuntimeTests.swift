import SparkDiagnostics
import SparkPlan
import SparkSpec
import SparkTestSupport
import Testing

/// What each runtime lowers into the Plan: its compose service, its listener and its LiteLLM route.
@Suite struct ModelRuntimeTests {
    private static func box() -> TopologyBuilder {
        TopologyBuilder().owner("me").node("box", owner: "me", links: [], apps: [.litellm])
    }

    @Test func twoOllamaModelsShareOneServerAndOneListener() throws {
        let plan = try #require(
            Self.box().model("a", head: "box", port: 11434, runtime: .ollama).model("b", head: "box", port: 11434, runtime: .ollama).resolve().plan)
        let node = try #require(plan.node(named: "box"))
        #expect(node.workloads.filter { $0.name == "ollama" }.count == 1)
        let listeners = node.services.filter { $0.port == 11434 }
        #expect(listeners.count == 1)
        #expect(listeners.first?.name == "ollama a, b")
        // LiteLLM calls Ollama's own API (no /v1), with the name the model was pulled as.
        let route = try #require(node.litellm?.routes.first)
        #expect(route.model == "ollama_chat/qwen3:8b")
        #expect(route.apiBase == "http://127.0.0.1:11434")
    }

    @Test func oneServerWithTwoImagesIsRefusedNotSilentlyMerged() throws {
        let resolved = Self.box()
            .model("a", head: "box", port: 11434, runtime: .ollama, image: "ollama/ollama:0.12.6")
            .model("b", head: "box", port: 11434, runtime: .ollama, image: "ollama/ollama:0.12.7").resolve()
        #expect(resolved.plan == nil)
        let error = try #require(resolved.diagnostics.first)
        #expect(error.path == SpecPath.root / "models" / "b" / "runtime" / "image")
        #expect(error.message.contains("ollama/ollama:0.12.7"))
    }

    @Test func aServerStartsWithAllItsModelsOrNone() throws {
        let resolved = Self.box()
            .model("a", head: "box", port: 11434, runtime: .ollama).model("b", head: "box", port: 11434, runtime: .ollama, start: .manual).resolve()
        let error = try #require(resolved.diagnostics.first)
        #expect(error.path == SpecPath.root / "models" / "b" / "start")
    }

    @Test func aManualLlamaCppModelIsAProfiledServiceOnLoopback() throws {
        let plan = try #require(Self.box().model("big", head: "box", port: 8082, runtime: .llamaCpp, start: .manual).resolve().plan)
        let node = try #require(plan.node(named: "box"))
        let workload = try #require(node.workloads.first { $0.name == "llama-big" })
        #expect(workload.manualStart)
        #expect(workload.gpus == .nvidia)
        // llama.cpp's images set LLAMA_ARG_HOST=0.0.0.0: the command must say where to bind.
        let host = try #require(workload.command.firstIndex(of: "--host"))
        #expect(workload.command[host + 1] == "127.0.0.1")
        #expect(workload.command.contains("/models/model-Q4_K_M.gguf"))
        #expect(workload.mounts == [.bind("/home/ops/models/big", at: "/models", readOnly: true)])
        #expect(node.services.first { $0.port == 8082 }?.manualStart == true)
        #expect(plan.cluster(ofModel: "big")?.readinessURL == "http://127.0.0.1:8082/health")
    }

    @Test func aScriptedVLLMModelHasNoComposeService() throws {
        let plan = try #require(Self.box().model("m", head: "box").resolve().plan)
        let cluster = try #require(plan.cluster(ofModel: "m"))
        #expect(cluster.isScripted)
        #expect(cluster.workload == nil)
        #expect(cluster.litellmModel == "openai/m")
        #expect(plan.node(named: "box")?.workloads.isEmpty == true)
    }

    @Test func twoLlamaCppModelsOnTheDefaultPortClash() throws {
        let findings = Self.box()
            .model("a", head: "box", port: 8080, runtime: .llamaCpp).model("b", head: "box", port: 8080, runtime: .llamaCpp).findings()
        #expect(findings.contains { $0.code == "CL008" })
    }
}
