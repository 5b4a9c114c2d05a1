import SparkDiagnostics
import SparkPlan
import SparkSpec
import SparkTestSupport
import Testing

/// Redis and NGINX in front of a node's LiteLLM: what they add to the Plan and what they change.
@Suite struct GatewayAppsTests {
    private static func gateway(_ apps: [App]) -> TopologyBuilder {
        TopologyBuilder().owner("me").node("box", owner: "me", links: [], apps: apps).model("m", head: "box")
    }

    @Test func behindNginxLiteLLMFacesOnlyTheNode() throws {
        let plan = try #require(Self.gateway([.litellm, .nginx]).resolve().plan)
        let services = try #require(plan.node(named: "box")?.services)
        #expect(services.first { $0.name == "nginx" }?.exposure == .ownerTailnet)
        #expect(services.first { $0.name == "nginx" }?.port == 443)
        #expect(services.first { $0.name == "litellm" }?.exposure == .localOnly)
        // Without NGINX the tailnet reaches LiteLLM itself.
        let direct = try #require(Self.gateway([.litellm]).resolve().plan)
        #expect(direct.node(named: "box")?.services.first { $0.name == "litellm" }?.exposure == .ownerTailnet)
    }

    @Test func redisIsLiteLLMsCacheAndItsPasswordIsReadByBoth() throws {
        let plan = try #require(Self.gateway([.litellm, .redis]).resolve().plan)
        let node = try #require(plan.node(named: "box"))
        let cache = try #require(node.litellm?.cache)
        #expect(cache.host == "127.0.0.1" && cache.port == 6379)
        let file = try #require(node.secretFile(defining: "REDIS_PASSWORD"))
        #expect(Set(file.readers) == ["litellm", "redis"])
        let redis = try #require(node.workloads.first { $0.name == "redis" })
        // The password reaches Redis on stdin, never as an argument.
        #expect(redis.command.last?.contains("--bind 127.0.0.1") == true)
        #expect(!redis.command.contains { $0.contains("--requirepass") })
    }

    @Test func nginxWithoutLiteLLMIsRefused() throws {
        let resolved = TopologyBuilder().owner("me").node("box", owner: "me", links: [], apps: [.nginx]).resolve()
        #expect(resolved.plan == nil)
        #expect(resolved.diagnostics.contains { $0.message == "node 'box' runs nginx, which serves LiteLLM, but no litellm" })
    }
}
