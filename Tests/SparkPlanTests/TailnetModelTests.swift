import SparkDiagnostics
import SparkPlan
import SparkTestSupport
import Testing

@testable import SparkSpec

/// A model another node's LiteLLM calls over the tailnet (document 003's Spark behind a gateway
/// on a workstation): its head's tailnet address, a key, a grant to the tailnet's tag alone.
@Suite struct TailnetModelTests {
    private static func lab(key: Bool = true, address: Bool = true) -> TopologyBuilder {
        var builder = TopologyBuilder().owner("me")
            .node("gateway", owner: "me", links: [], apps: [.litellm]).node("spark", owner: "me", links: [])
            .model("senior", head: "spark")
        if address { builder.topology.nodes[1].tailnetIP = IPv4Address("100.64.0.12") }
        builder.topology.models[0].listen = .tailnet
        builder.topology.models[0].runtime.runner = .compose
        builder.topology.models[0].runtime.image = builder.topology.models[0].runtime.baseImage
        if key {
            builder.topology.models[0].apiKey = SecretRef(
                file: NodePath("~/.senior-vllm.env")!, variable: "VLLM_API_KEY", sha256: nil, path: SpecPath.root / "models" / "senior" / "api_key")
        }
        return builder
    }

    @Test func theGatewayCallsItOverTheTailnetWithTheHeadsKey() throws {
        let plan = try #require(Self.lab().resolve().plan)
        let spark = try #require(plan.node(named: "spark"))
        let listener = try #require(spark.services.first { $0.port == 8000 })
        #expect(listener.bindAddress == "100.64.0.12")
        #expect(listener.exposure == .tailnetPeers(["gateway"]))
        // vLLM gets the key from its environment; the head makes it, the gateway copies it.
        #expect(spark.workloads.first?.environmentFiles == ["/home/ops/.senior-vllm.env"])
        #expect(spark.secretFile(defining: "VLLM_API_KEY")?.readers == ["vllm"])
        let gateway = try #require(plan.node(named: "gateway"))
        let copy = try #require(gateway.secretFile(defining: "VLLM_API_KEY"))
        guard case .copied(let from, _) = copy.source else {
            Issue.record("the gateway's key is \(copy.source)")
            return
        }
        #expect(from == "spark")
        let route = try #require(gateway.litellm?.routes.first)
        #expect(route.apiBase == "http://100.64.0.12:8000/v1")
        #expect(route.apiKeyVariable == "VLLM_API_KEY")
        // The tailnet's tag reaches the port; its users do not.
        let policy = try #require(plan.tailnet(named: "me-net")?.policy)
        #expect(policy.allows("tag:me", to: "tag:me", port: 8000))
        #expect(!policy.allows("me@example.com", to: "tag:me", port: 8000))
        #expect(!Reachability(plan).isReachable("spark", port: 8000, from: .ownTailnet))
        // The gateway, like any node carrying the tag, reaches the port on the tailnet address;
        // the gateway's own LiteLLM, on loopback, stays off the tailnet for other nodes.
        #expect(Reachability(plan).isReachable("spark", port: 8000, from: .tailnetTag))
        #expect(!Reachability(plan).isReachable("gateway", port: 4000, from: .tailnetTag))
        #expect(!Self.lab().findings().contains { $0.code == "ST001" })
    }

    @Test func withoutAKeyOrAnAddressItIsRefused() {
        let keyless = Self.lab(key: false).resolve()
        #expect(keyless.plan == nil)
        #expect(keyless.diagnostics.contains { $0.message == "model 'senior' listens on the tailnet without an api_key" })
        let unaddressed = Self.lab(address: false).resolve()
        #expect(unaddressed.diagnostics.contains { $0.message == "model 'senior' listens on the tailnet, but node 'spark' has no tailnet_ip" })
    }
}
