import SparkDiagnostics
import SparkPlan
import SparkSpec
import SparkTestSupport
import Testing

/// Models taking turns on one port (document 002): one listener, a panel admitted by address,
/// memory counted for the largest.
@Suite struct CatalogTests {
    /// Two Sparks on a DAC and a LAN, a panel host on the LAN, three models taking turns.
    private static func sparks(panel: String? = "panel") -> TopologyBuilder {
        TopologyBuilder().owner("me")
            .link("dac", .direct, subnet: "10.0.0.0/30").link("lan", .lan, subnet: "192.168.1.0/24")
            .host("panel", links: [("lan", "192.168.1.10")])
            .node("s1", owner: "me", links: [("dac", "10.0.0.1"), ("lan", "192.168.1.51")])
            .node("s2", owner: "me", links: [("dac", "10.0.0.2"), ("lan", "192.168.1.52")])
            .model("small", head: "s1").model("mid", head: "s1").model("big", head: "s1", workers: ["s2"])
            .catalog("sparks", members: ["small", "mid", "big"], active: "small", panel: panel)
    }

    @Test func theModelsShareOneListenerThatThePanelAloneReaches() throws {
        let plan = try #require(Self.sparks().resolve().plan)
        let head = try #require(plan.node(named: "s1"))
        let listeners = head.services.filter { $0.port == 8888 }
        #expect(listeners.count == 1)
        #expect(listeners.first?.bindAddress == "192.168.1.51")
        #expect(listeners.first?.exposure == .hosts(link: "lan", ["panel"]))
        // One GCS for the catalog's Ray cluster, admitting its worker.
        #expect(head.services.filter { $0.port == 6379 }.count == 1)
        let matrix = Reachability(plan)
        #expect(matrix.isReachable("s1", port: 8888, from: .host("panel", link: "lan")))
        #expect(!matrix.isReachable("s1", port: 8888, from: .lan("lan")))
        #expect(!matrix.isReachable("s1", port: 8888, from: .ownTailnet))
        #expect(!matrix.isReachable("s1", port: 8888, from: .linkPeer("s2", link: "dac")))
    }

    @Test func withoutAPanelTheCatalogStaysOnLoopback() throws {
        let plan = try #require(Self.sparks(panel: nil).resolve().plan)
        let listener = try #require(plan.node(named: "s1")?.services.first { $0.port == 8888 })
        #expect(listener.bindAddress == "127.0.0.1")
        #expect(listener.exposure == .localOnly)
    }

    @Test func modelsOfOneCatalogMustShareAHead() throws {
        let resolved = Self.sparks().model("elsewhere", head: "s2").catalog("sparks2", members: [], active: "x")
            .resolve()
        // 'sparks2' has no member 'x'.
        #expect(resolved.plan == nil)
        #expect(resolved.diagnostics.contains { $0.message == "catalog 'sparks2' has no model 'x' to make active" })
        var builder = Self.sparks().model("other", head: "s2")
        builder = builder.catalog("sparks", members: ["other"], active: "small")
        builder.topology.catalogs.removeLast()
        let split = builder.resolve()
        #expect(split.plan == nil)
        let error = try #require(split.diagnostics.first { $0.message.contains("runs its API on node 's2'") })
        #expect(error.path == SpecPath.root / "models" / "other" / "cluster")
    }

    @Test func memoryCountsTheLargestModelOfACatalogNotTheSum() throws {
        // Three models at 0.80 each: 240% summed, 80% as a catalog.
        #expect(!Self.sparks().findings().contains { $0.code == "CL009" })
        // A model beside the catalog leaves too little room for the catalog's largest.
        let crowded = Self.sparks().model("beside", head: "s1", port: 8002).findings().filter { $0.code == "CL009" }
        #expect(crowded.count == 1)
        #expect(crowded.first?.message.contains("the largest of catalog 'sparks'") == true)
    }

    @Test func theSwapReachesEachWorkerOverALAN() throws {
        var builder = Self.sparks()
        builder.topology.nodes[1].addresses.removeAll { $0.link == "lan" }
        let findings = builder.findings().filter { $0.code == "CL018" }
        #expect(findings.count == 1)
        #expect(findings.first?.path == SpecPath.root / "models" / "big" / "cluster" / "workers" / 0)
    }
}
