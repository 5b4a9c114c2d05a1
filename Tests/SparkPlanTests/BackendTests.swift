import SparkDiagnostics
import SparkPlan
import SparkTestSupport
import Testing

@testable import SparkSpec

/// A server spark-gen routes to but does not deploy (document 003's LM Studio on a Windows box),
/// on a host of the tailnet.
@Suite struct BackendTests {
    private static func lab(hostTailnet: String? = "me-net", edit: (inout Backend) -> Void = { _ in }) -> TopologyBuilder {
        var builder = TopologyBuilder().owner("me").node("gateway", owner: "me", links: [], apps: [.litellm]).model("senior", head: "gateway")
        var host = Host(name: "win", addresses: [], path: SpecPath.root / "hosts" / "win")
        host.tailnet = hostTailnet
        host.tag = "tag:lmstudio"
        builder.topology.hosts = [host]
        var backend = Backend(
            name: "gemma", host: "win", port: 1234, model: "gemma-4-31b", slots: 3, vision: false, maxParallelRequests: nil,
            fallbacks: ["senior"], senior: false, path: SpecPath.root / "backends" / "gemma")
        edit(&backend)
        builder.topology.backends = [backend]
        return builder
    }

    @Test func theGatewayRoutesItByTheHostsNameWithItsSlotsAsTheCap() throws {
        let plan = try #require(Self.lab().resolve().plan)
        let route = try #require(plan.node(named: "gateway")?.litellm?.routes.first { $0.servedName == "gemma" })
        #expect(route.model == "openai/gemma-4-31b")
        #expect(route.apiBase == "http://win:1234/v1")
        #expect(route.fallbacks == ["senior"])
        // Past its three slots a request spills down the chain instead of queueing on the box.
        #expect(route.maxParallelRequests == 3)
        // The tailnet's nodes reach the backend's port on its tag; its users are not granted it.
        let policy = try #require(plan.tailnet(named: "me-net")?.policy)
        #expect(policy.allows("tag:me", to: "tag:lmstudio", port: 1234))
        #expect(!policy.allows("tag:me", to: "tag:lmstudio", port: 22))
        #expect(policy.tagOwners.contains { $0.tag == "tag:lmstudio" })
    }

    @Test func aBackendNeedsAHostOnATailnet() {
        let resolved = Self.lab(hostTailnet: nil).resolve()
        #expect(resolved.diagnostics.contains { $0.message == "backend 'gemma' runs on host 'win', which is on no tailnet" })
        let unknown = Self.lab { $0.host = "wni" }.resolve()
        #expect(unknown.diagnostics.contains { $0.message == "unknown host 'wni'" })
    }

    @Test func theRoutingRulesSeeBackends() {
        let findings = Self.lab { backend in
            backend.maxParallelRequests = 5  // past its 3 slots: CL022
            backend.vision = true  // falls back to a model that cannot see: CL021
        }.findings()
        #expect(findings.contains { $0.code == "CL022" && $0.message.contains("backend 'gemma'") })
        #expect(findings.contains { $0.code == "CL021" && $0.path == SpecPath.root / "backends" / "gemma" / "fallbacks" / 0 })
    }
}
