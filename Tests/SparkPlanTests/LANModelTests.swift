import SparkDiagnostics
import SparkPlan
import SparkTestSupport
import Testing

@testable import SparkSpec

/// A model served over the home LAN: a workstation's LiteLLM calls the GPU box beside it, and
/// they share no direct link or fabric.
@Suite struct LANModelTests {
    /// ws runs the gateway, gpu the model; nas is on the LAN too and calls nothing.
    private static func homeLAN() -> TopologyBuilder {
        TopologyBuilder()
            .owner("me")
            .link("home", .lan, subnet: "192.168.1.0/24")
            .node("ws", owner: "me", links: [("home", "192.168.1.10")], apps: [.litellm, .litellmDB])
            .node("gpu", owner: "me", links: [("home", "192.168.1.20")])
            .node("nas", owner: "me", links: [("home", "192.168.1.30")])
            .model("gpt", head: "gpu")
    }

    @Test func aOneNodeModelIsServedOnItsLANAddressToItsCallers() throws {
        let resolved = Self.homeLAN().resolve()
        let plan = try #require(resolved.plan, "\(resolved.diagnostics.map(\.message))")
        let cluster = try #require(plan.cluster(ofModel: "gpt"))
        #expect(cluster.link?.name == "home")
        #expect(cluster.apiHost == "192.168.1.20")
        #expect(plan.links.first?.mtu == nil, "the LAN keeps its MTU")
        let gpu = try #require(plan.node(named: "gpu"))
        let rules = FirewallPlanner.rules(for: gpu, in: plan)
        // The LAN keeps its ssh; the model's port is admitted from the caller's address alone.
        #expect(rules.contains { $0.port == 22 && $0.action == .allow && $0.source == "192.168.1.0/24" })
        let modelRules = rules.filter { $0.port == 8000 }
        #expect(modelRules.map(\.source) == ["192.168.1.10"], "\(modelRules)")
        #expect(modelRules.allSatisfy { $0.action == .allow && $0.destination == "192.168.1.20" })
    }

    @Test func theCallerReachesTheModelAndAnotherLANNeighbourDoesNot() throws {
        let plan = try #require(Self.homeLAN().resolve().plan)
        let matrix = Reachability(plan)
        #expect(matrix.isReachable("gpu", port: 8000, from: .linkPeer("ws", link: "home")))
        #expect(!matrix.isReachable("gpu", port: 8000, from: .lan("home")), "a LAN neighbour that calls nothing is refused")
        #expect(matrix.isReachable("gpu", port: 22, from: .lan("home")), "ssh over the LAN is as it was")
        #expect(!matrix.isReachable("ws", port: 8001, from: .linkPeer("gpu", link: "home")))
    }

    @Test func theHomeLANIsCleanUnderTheRules() {
        let findings = Self.homeLAN().findings().filter { $0.severity == .error }
        #expect(findings.isEmpty, "\(findings.map(\.message))")
    }

    @Test func aClusterOfNodesStillNeedsADirectLinkOrFabric() throws {
        let builder = Self.homeLAN().model("big", head: "gpu", workers: ["nas"], port: 8002)
        let error = try #require(builder.resolve().diagnostics.first { $0.severity == .error })
        #expect(error.message == "the nodes of model 'big' share no direct link or fabric: 'gpu', 'nas', and 'ws', whose LiteLLM calls it")
        #expect(error.help?.contains("a cluster of nodes (Ray, NCCL) needs one direct link (two nodes) or fabric") == true)
        #expect(error.help?.contains("a LAN it shares with the model's node") == true)
        #expect(error.help?.contains("'listen: tailnet' and an 'api_key'") == true)
        // Named, a LAN is refused to a cluster of nodes with the same words.
        var named = builder
        named.topology.models[1].cluster.link = "home"
        let namedError = try #require(named.resolve().diagnostics.first { $0.severity == .error })
        #expect(namedError.message == "the cluster of model 'big' uses LAN home")
        #expect(namedError.help == LANModel.linkKindsHelp)
    }

    @Test func aOneNodeModelMayNameItsLAN() throws {
        var builder = Self.homeLAN()
        builder.topology.models[0].cluster.link = "home"
        let plan = try #require(builder.resolve().plan)
        #expect(plan.cluster(ofModel: "gpt")?.apiHost == "192.168.1.20")
    }

    @Test func twoSharedLANsNeedTheModelToNameOne() throws {
        var builder = Self.homeLAN().link("iot", .lan, subnet: "10.20.0.0/24")
        builder.topology.nodes[0].addresses.append(
            LinkAddress(link: "iot", ip: IPv4Address("10.20.0.10")!, path: SpecPath.root / "nodes" / "ws" / "links" / "iot"))
        builder.topology.nodes[1].addresses.append(
            LinkAddress(link: "iot", ip: IPv4Address("10.20.0.20")!, path: SpecPath.root / "nodes" / "gpu" / "links" / "iot"))
        let error = try #require(builder.resolve().diagnostics.first { $0.severity == .error })
        #expect(error.message == "the nodes of model 'gpt' share 2 links: 'home', 'iot'")
        #expect(error.help == "name the one the model uses with 'link: home' under 'cluster'")
        builder.topology.models[0].cluster.link = "iot"
        #expect(try #require(builder.resolve().plan).cluster(ofModel: "gpt")?.apiHost == "10.20.0.20")
    }
}
