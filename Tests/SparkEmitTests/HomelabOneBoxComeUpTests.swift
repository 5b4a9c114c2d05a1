import Foundation
import SparkEmit
import SparkGenKit
import SparkTestSupport
import SparkYAML
import Testing

/// Issue 22's homelab (document 003) and one-box (document 004) items, read from the committed
/// trees an operator deploys: the agent and code model parses tool calls, every route name the
/// document's clients send exists, win-5090 has its own runbook and a check from the gateway,
/// each GPU-pinned container is checked for its card, and one-box's README says how clients on
/// the box reach LiteLLM.
@Suite struct HomelabOneBoxComeUpTests {
    private static let gateway = "nodes/ubuntu/home/me/homelab"

    private static func text(_ example: String, _ path: String) throws -> String {
        try String(contentsOfFile: "\(Fixtures.repositoryRoot)/out/\(example)/\(path)", encoding: .utf8)
    }

    private static func yaml(_ example: String, _ path: String) throws -> YAMLNode {
        let bytes = try #require(FileManager.default.contents(atPath: "\(Fixtures.repositoryRoot)/out/\(example)/\(path)"), "\(path) missing")
        return try #require(YAMLParser.parse(Array(bytes)).root)
    }

    private static func value(_ node: YAMLNode?, _ keys: String...) -> YAMLNode? {
        var current = node
        for key in keys { current = current?.mapping?.first { $0.key.scalar == key }?.value }
        return current
    }

    /// GLM-4.5-Air serves homelab/code and homelab/agent: vLLM answers a request with tools 400
    /// without --enable-auto-tool-choice and a parser; 'glm45' is vLLM's name for GLM-4.5's tool
    /// and reasoning parsers (vllm-project/vllm#25830, docs/features/tool_calling.md).
    @Test func theAgentModelParsesToolCalls() throws {
        let compose = try Self.yaml("homelab", "\(Self.gateway)/compose.yaml")
        let command = Self.value(compose, "services", "vllm-glm-4.5-air", "command")?.sequence?.compactMap(\.scalar) ?? []
        let flag = { (name: String) in command.firstIndex(of: name).map { command[$0 + 1] } }
        #expect(command.contains("--enable-auto-tool-choice"))
        #expect(flag("--tool-call-parser") == "glm45")
        #expect(flag("--reasoning-parser") == "glm45")
        let config = try Self.text("homelab", "\(Self.gateway)/litellm-config.yaml")
        #expect(
            config.contains(
                "    api_base: http://127.0.0.1:8001/v1\n    api_key: not-needed\n    max_parallel_requests: 4\n  model_info:\n    supports_function_calling: true"
            ))
    }

    /// Every name document 003's clients call: the machines' route names (its cards list
    /// homelab/vision, fast, code, agent, reasoning, review, chat, utility and gemma) and
    /// homelab/auto, which Cursor sends and which goes to the Spark when nothing classifies it.
    @Test func everyRouteNameOfTheDocumentExists() throws {
        let config = try Self.yaml("homelab", "\(Self.gateway)/litellm-config.yaml")
        let aliases = try #require(Self.value(config, "router_settings", "model_group_alias")?.mapping)
        let routes = Dictionary(
            aliases.compactMap { pair in pair.key.scalar.flatMap { key in pair.value.scalar.map { (key, $0) } } }, uniquingKeysWith: { a, _ in a })
        let expected = [
            "homelab/vision": "qwen2.5-vl-7b-router-awq", "homelab/fast": "qwen2.5-vl-7b-router-awq",
            "homelab/code": "glm-4.5-air-awq", "homelab/agent": "glm-4.5-air-awq",
            "homelab/reasoning": "qwen3.6-35b-a3b-fp8", "homelab/review": "qwen3.6-35b-a3b-fp8",
            "homelab/chat": "gemma-4-31b", "homelab/utility": "gemma-4-31b", "homelab/gemma": "gemma-4-31b",
            "homelab/auto": "qwen3.6-35b-a3b-fp8",
        ]
        for (name, target) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(routes[name] == target, "\(name)")
        }
        // Safety first: the unclassified route never falls back, as its senior model.
        #expect(try Self.text("homelab", "\(Self.gateway)/litellm-config.yaml").contains("  - homelab/auto: []\n"))
    }

    /// win-5090 is onboarded: its own runbook joins the tailnet with its tag, starts LM Studio on
    /// its port bound to the tailnet address with its slots, admits the tailnet only in Windows
    /// Firewall; the gateway keeps its token and sends it a one-token completion.
    @Test func theWindowsBackendHasARunbookAndACheck() throws {
        let runbook = try Self.text("homelab", "hosts/win-5090/homelab/RUNBOOK.md")
        for needle in [
            "tailscale up --unattended --hostname=win-5090 --advertise-tags=tag:lmstudio",
            "lms load MODEL_KEY --identifier gemma-4-31b --gpu max --context-length 32768",
            "Max Concurrent Predictions 3",
            "$tailnetIP = tailscale ip -4\nlms server start --port 1234 --bind $tailnetIP",
            "New-NetFirewallRule -DisplayName 'homelab: LM Studio 1234 from tailnet lab-net' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 1234 -InterfaceAlias Tailscale -RemoteAddress 100.64.0.0/10",
            "- ubuntu: `/home/me/.homelab-lmstudio.env` (`LM_API_TOKEN`)",
        ] {
            #expect(runbook.contains(needle), "the runbook lacks \(needle)")
        }
        let readme = try Self.text("homelab", "README.md")
        #expect(readme.contains("`hosts/win-5090/homelab/RUNBOOK.md`"))
        let verify = try Self.text("homelab", "\(Self.gateway)/scripts/verify.sh")
        #expect(verify.contains(". /home/me/.homelab-lmstudio.env; printf 'Authorization: Bearer %s\\n' \"${LM_API_TOKEN:-}\" ) > \"$backend_headers/key\""))
        #expect(verify.contains("completes http://win-5090:1234/v1 gemma-4-31b \"$backend_headers/key\""))
        #expect(verify.contains("\"max_tokens\\\": 1"))
        let config = try Self.text("homelab", "\(Self.gateway)/litellm-config.yaml")
        #expect(config.contains("    api_base: http://win-5090:1234/v1\n    api_key: os.environ/LM_API_TOKEN\n"))
        let compose = try Self.text("homelab", "\(Self.gateway)/compose.yaml")
        #expect(compose.contains("    - /home/me/.homelab-lmstudio.env\n"), "LiteLLM's container loads the token")
    }

    /// On the laptop with a Thunderbolt eGPU, an index can name the other card after a reboot:
    /// verify.sh asks each container which card it got (by memory size, since the topology pins
    /// by index).
    @Test func eachPinnedContainerIsCheckedForItsCard() throws {
        let verify = try Self.text("homelab", "\(Self.gateway)/scripts/verify.sh")
        #expect(verify.contains("docker exec \"$1\" nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits"))
        #expect(verify.contains("gpu_memory_is vllm-qwen2.5-vl-7b 16\n"))
        #expect(verify.contains("gpu_memory_is vllm-glm-4.5-air 96\n"))
    }

    /// With 'gpu_uuids', compose names the cards by UUID and verify.sh compares the UUIDs the
    /// container sees with the topology's.
    @Test func gpuUUIDsPinTheCardsThemselves() throws {
        let path = Fixtures.repositoryRoot + "/examples/homelab/topology.yaml"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let uuid = "GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a"
        let text = original.replacingOccurrences(of: "    gpu_ids: [1]\n", with: "    gpu_ids: [1]\n    gpu_uuids: [\(uuid)]\n")
        #expect(text != original)
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        let artifacts = try #require(compilation.artifacts, "\(compilation.diagnostics.map(\.message))")
        let compose = try #require(artifacts.first { $0.path == "\(Self.gateway)/compose.yaml" }).contents
        #expect(compose.contains("            device_ids:\n            - \(uuid)\n"))
        #expect(compose.contains("            device_ids:\n            - \"0\"\n"), "a model pinned by index keeps its index")
        let verify = try #require(artifacts.first { $0.path == "\(Self.gateway)/scripts/verify.sh" }).contents
        #expect(verify.contains("gpus_are vllm-glm-4.5-air \(uuid)\n"))
    }

    /// One-box's clients on the box called http://framework:4000, which LiteLLM on loopback never
    /// answers there: the README gives the loopback URL for the box, host networking for its
    /// containers, the tailnet URL for the rest, and says why it differs.
    @Test func oneBoxSaysHowLocalClientsReachLiteLLM() throws {
        let readme = try Self.text("one-box", "README.md")
        for needle in [
            "## Clients",
            "- From a device of tailnet home-net that the policy admits: `http://framework:4000/v1`",
            "- On framework itself: `http://127.0.0.1:4000/v1`. Not `http://framework:4000`",
            "`network_mode: host`",
            "host.docker.internal:host-gateway",
            "This differs from a stack whose LiteLLM publishes its port on every address",
        ] {
            #expect(readme.contains(needle), "one-box's README lacks \(needle)")
        }
    }
}
