import SparkDiagnostics
import SparkPlan
import SparkTestSupport
import Testing

@testable import SparkSpec

/// Plans built from Swift values (TopologyBuilder), not from edits of an example's text.
@Suite struct PlanBuilderTests {
    /// Two owners on one switch: alice's TP=2 model on a1 and a2, bob's box b1 beside them.
    private static func sharedFabric() -> TopologyBuilder {
        TopologyBuilder()
            .owner("alice").owner("bob")
            .link("fabric", .fabric, subnet: "10.10.0.0/29").link("lan", .lan, subnet: "192.168.1.0/24")
            .node("a1", owner: "alice", links: [("lan", "192.168.1.11"), ("fabric", "10.10.0.1")], apps: [.litellm, .litellmDB])
            .node("a2", owner: "alice", links: [("lan", "192.168.1.12"), ("fabric", "10.10.0.2")])
            .node("b1", owner: "bob", links: [("lan", "192.168.1.13"), ("fabric", "10.10.0.3")], apps: [.litellm, .litellmDB])
            .model("big", head: "a1", workers: ["a2"]).model("small", head: "b1", port: 8002)
    }

    @Test func anotherOwnersNodeOnTheSwitchReachesNoClusterPort() throws {
        let plan = try #require(Self.sharedFabric().resolve().plan)
        let matrix = Reachability(plan)
        for port in [8000, 6379, 22] {
            #expect(!matrix.isReachable("a1", port: port, from: .linkPeer("b1", link: "fabric")), "b1 reaches a1:\(port)")
        }
        #expect(matrix.isReachable("a1", port: 6379, from: .linkPeer("a2", link: "fabric")))
        #expect(!matrix.isReachable("b1", port: 8002, from: .linkPeer("a1", link: "fabric")))
    }

    @Test func theSharedFabricIsCleanAndADirectLinkOfThreeIsNot() throws {
        let clean = Self.sharedFabric().findings().filter { $0.severity != .note && $0.acceptedReason == nil }
        #expect(clean.isEmpty, "\(clean.map(\.message))")
        // The same lab, with the switch declared as a cable.
        var cabled = Self.sharedFabric()
        cabled.topology.links[0].kind = .direct
        let finding = try #require(cabled.findings().first { $0.code == "CL014" })
        #expect(finding.path == SpecPath.root / "links" / "fabric")
        #expect(finding.message == "direct link 'fabric' joins 'a1', 'a2', 'b1'")
    }

    @Test func aBoxWithNoLinksAndNoTailnetSshIsWarnedAbout() throws {
        let box = TopologyBuilder().owner("me", ssh: false).node("box", owner: "me", links: [], apps: [.litellm, .litellmDB]).model("m", head: "box")
        let plan = try #require(box.resolve().plan)
        #expect(plan.cluster(ofModel: "m")?.apiHost == "127.0.0.1")
        let warning = try #require(box.findings().first { $0.code == "HY004" })
        #expect(warning.severity == .warning)
        #expect(warning.path == SpecPath.root / "nodes" / "box")
    }

    /// A catalog on a box with two discrete GPUs counts, on each GPU, as its largest model beside
    /// the models that start with the stack, as it does on unified memory.
    @Test func aCatalogOnDiscreteGPUsCountsAsItsLargestModel() throws {
        var box = TopologyBuilder().owner("me").node("box", owner: "me", links: [], apps: [.litellm, .litellmDB])
            .model("small", head: "box").model("large", head: "box").model("other", head: "box", port: 8002)
            .catalog("turns", members: ["small", "large"], active: "small")
        box.topology.nodes[0].hardware.gpus = 2
        box.topology.nodes[0].hardware.gpuMemoryGB = [24, 24]
        for (index, utilization) in [0.5, 0.6, 0.4].enumerated() {
            box.topology.models[index].vllm.gpuMemoryUtilization = utilization
            box.topology.models[index].cluster.tensorParallel = 2
            box.topology.models[index].weightsGB = 4
        }
        let findings = box.findings().filter { $0.code == "CL009" }
        #expect(
            findings.map(\.message)
                == [0, 1].map { gpu in
                    "models 'large' (the largest of catalog 'turns'), 'other' on GPU \(gpu) of node 'box' reserve 100% of its memory together"
                })
        #expect(findings.first?.path == SpecPath.root / "models" / "other" / "vllm" / "gpu_memory_utilization")
        // With room for the largest, nothing is reported.
        box.topology.models[2].vllm.gpuMemoryUtilization = 0.35
        #expect(box.findings().filter { $0.code == "CL009" }.isEmpty)
    }

    /// Ollama's context length is its server's: every model of one server gets it, and two
    /// models of one server that ask for different lengths are refused, not the first winning.
    @Test func ollamasContextLengthIsTheServersAndModelsMustAgree() throws {
        var box = TopologyBuilder().owner("me").node("box", owner: "me", links: [], apps: [.litellm, .litellmDB])
            .model("coder", head: "box", port: 11434, runtime: .ollama).model("chat", head: "box", port: 11434, runtime: .ollama)
        box.topology.models[1].source = "qwen3:32b"
        box.topology.models[0].ollama = OllamaOptions(contextLength: 65536, path: SpecPath.root / "models" / "coder" / "ollama")
        box.topology.models[1].ollama = OllamaOptions(contextLength: 65536, path: SpecPath.root / "models" / "chat" / "ollama")
        let plan = try #require(box.resolve().plan)
        let server = try #require(plan.node(named: "box")?.workloads.first { $0.name == "ollama" })
        #expect(server.environment.contains { $0.name == "OLLAMA_CONTEXT_LENGTH" && $0.value == "65536" })
        box.topology.models[1].ollama = nil
        let refused = box.resolve()
        #expect(refused.plan == nil)
        #expect(
            refused.diagnostics.map(\.message) == [
                "model 'chat' asks the Ollama server 'ollama' on node 'box' for context_length Ollama's default, but model 'coder' for 65536"
            ])
    }
}
