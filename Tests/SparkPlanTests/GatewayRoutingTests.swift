import SparkDiagnostics
import SparkPlan
import SparkTestSupport
import Testing

@testable import SparkSpec

/// Fallbacks, caps, senior models and route names (document 003), as the Plan gives them to a
/// node's LiteLLM.
@Suite struct GatewayRoutingTests {
    /// One box with LiteLLM and three models; `edit` changes them before resolving.
    private static func box(_ edit: (inout Topology) -> Void = { _ in }) -> TopologyBuilder {
        var builder = TopologyBuilder().owner("me").node("box", owner: "me", links: [], apps: [.litellm])
            .model("vision", head: "box", port: 8000).model("code", head: "box", port: 8001).model("senior", head: "box", port: 8002)
        edit(&builder.topology)
        return builder
    }

    private static func index(_ topology: Topology, _ name: String) -> Int { topology.models.firstIndex { $0.name == name }! }

    @Test func fallbacksAndRouteNamesReachLiteLLMByServedName() throws {
        let plan = try #require(
            Self.box { topology in
                topology.models[Self.index(topology, "code")].fallbacks = ["vision", "senior"]
                topology.models[Self.index(topology, "code")].maxParallelRequests = 2
                topology.models[Self.index(topology, "code")].servedName = "glm"
                topology.models[Self.index(topology, "senior")].senior = true
                topology.routes = [RouteAlias(name: "lab/code", model: "code", path: SpecPath.root / "routes" / "lab/code")]
            }.resolve().plan)
        let litellm = try #require(plan.node(named: "box")?.litellm)
        let code = try #require(litellm.routes.first { $0.servedName == "glm" })
        #expect(code.fallbacks == ["vision", "senior"])
        #expect(code.maxParallelRequests == 2)
        #expect(litellm.routes.first { $0.servedName == "senior" }?.senior == true)
        #expect(litellm.aliases.map(\.name) == ["lab/code"])
        #expect(litellm.aliases.first?.servedName == "glm")
        #expect(litellm.routesBetweenModels)
        // Without any of these, the config keeps its one-backend-per-name shape.
        #expect(try #require(Self.box().resolve().plan?.node(named: "box")?.litellm).routesBetweenModels == false)
    }

    @Test func aModelWithFallbacksIsCappedAtItsSlotsUnlessItSaysOtherwise() throws {
        // Past its 16 slots a request would queue inside vLLM, where no fallback sees it.
        let plan = try #require(
            Self.box { topology in
                topology.models[Self.index(topology, "code")].fallbacks = ["senior"]
                topology.models[Self.index(topology, "code")].vllm.maxNumSeqs = 16
                topology.models[Self.index(topology, "vision")].vllm.maxNumSeqs = 16
            }.resolve().plan)
        let routes = try #require(plan.node(named: "box")?.litellm?.routes)
        #expect(routes.first { $0.servedName == "code" }?.maxParallelRequests == 16)
        // Without fallbacks nothing would take the spill: no cap.
        #expect(routes.first { $0.servedName == "vision" }?.maxParallelRequests == nil)
    }

    @Test func unknownNamesAreRefusedWhereTheyAreWritten() {
        let resolved = Self.box { topology in
            topology.models[Self.index(topology, "code")].fallbacks = ["visoin"]
            topology.routes = [RouteAlias(name: "lab/code", model: "cod", path: SpecPath.root / "routes" / "lab/code")]
        }.resolve()
        #expect(resolved.plan == nil)
        #expect(resolved.diagnostics.contains { $0.message == "unknown model 'visoin'" && $0.path == SpecPath.root / "models" / "code" / "fallbacks" / 0 })
        #expect(resolved.diagnostics.contains { $0.message == "unknown model 'cod'" && $0.help?.contains("did you mean 'code'") == true })
    }

    @Test func aRouteNameMayNotShadowAServedName() {
        let resolved = Self.box { topology in
            topology.routes = [RouteAlias(name: "vision", model: "code", path: SpecPath.root / "routes" / "vision")]
        }.resolve()
        #expect(resolved.diagnostics.contains { $0.message == "route 'vision' is also the name a model is served as" })
    }

    @Test func theRulesSeeLoopsSeniorsVisionAndCaps() {
        let findings = Self.box { topology in
            let vision = Self.index(topology, "vision"), code = Self.index(topology, "code"), senior = Self.index(topology, "senior")
            topology.models[vision].vision = true
            topology.models[vision].fallbacks = ["code"]  // code cannot see: CL021
            topology.models[code].fallbacks = ["vision"]  // vision → code → vision: CL019
            topology.models[senior].senior = true
            topology.models[senior].fallbacks = ["code"]  // CL020
            topology.models[code].maxParallelRequests = 64
            topology.models[code].vllm.maxNumSeqs = 32  // CL022
        }.findings()
        for code in ["CL019", "CL020", "CL021", "CL022"] {
            #expect(findings.contains { $0.code == code }, "no \(code) in \(findings.map { "\($0.code ?? "") \($0.message)" })")
        }
    }
}
