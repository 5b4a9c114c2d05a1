import SparkDiagnostics
import SparkPlan
import SparkTestSupport
import Testing

@testable import SparkSpec

/// A node of discrete GPUs with memories of their own (a 16 GB laptop GPU beside a 96 GB eGPU,
/// document 003): vLLM's fraction and the memory rules apply per GPU.
@Suite struct DiscreteGPUTests {
    /// One workstation, a model on each GPU at the fractions of the document.
    private static func workstation(firstGPU: [Int] = [0], secondGPU: [Int] = [1], firstWeights: Double = 7) -> TopologyBuilder {
        var builder = TopologyBuilder().owner("me").node("ws", owner: "me", links: [], apps: [.litellm])
            .model("vision", head: "ws", port: 8000).model("code", head: "ws", port: 8001)
        builder.topology.nodes[0].hardware.gpus = 2
        builder.topology.nodes[0].hardware.gpuMemoryGB = [16, 96]
        for (index, (ids, fraction, weights)) in [(firstGPU, 0.78, firstWeights), (secondGPU, 0.92, 60.0)].enumerated() {
            builder.topology.models[index].runtime.runner = .compose
            builder.topology.models[index].runtime.image = builder.topology.models[index].runtime.baseImage
            builder.topology.models[index].gpuIDs = ids
            builder.topology.models[index].vllm.gpuMemoryUtilization = fraction
            builder.topology.models[index].weightsGB = weights
        }
        return builder
    }

    @Test func modelsOnTheirOwnGPUsAreCountedApart() {
        // 0.78 + 0.92 is 170% of one memory, but each GPU holds one model.
        let findings = Self.workstation().findings()
        #expect(!findings.contains { $0.code == "CL009" || $0.code == "CL006" }, "\(findings.map(\.message))")
    }

    @Test func twoModelsOnOneGPUAreCountedTogether() {
        let findings = Self.workstation(firstGPU: [1]).findings().filter { $0.code == "CL009" }
        #expect(findings.count == 1)
        #expect(findings.first?.message.contains("on GPU 1 of node 'ws' reserve 170%") == true)
    }

    @Test func weightsMustFitTheGPUTheyAreGiven() {
        // 20 GB of weights on the 16 GB GPU: it fits the node's memory, not its GPU's.
        let findings = Self.workstation(firstWeights: 20).findings().filter { $0.code == "CL006" }
        #expect(findings.count == 1)
        #expect(findings.first?.message.contains("on GPU 0 of 'ws'") == true)
        #expect(findings.first?.path == SpecPath.root / "models" / "vision" / "weights_gb")
    }
}
