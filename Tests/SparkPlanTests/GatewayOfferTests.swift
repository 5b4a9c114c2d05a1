import SparkDiagnostics
import SparkPlan
import SparkTestSupport
import Testing

@testable import SparkSpec

/// Issue 24 item 2: an owner's gateway offers named models to another owner. The housemate
/// calls gpt through the owner's LiteLLM with a key the owner mints, never gpt's own port.
@Suite struct GatewayOfferTests {
    /// me: ws (gateway with database) and gpu (gpt, called over the LAN); mate: box (own gateway).
    private static func home(via: GatewayOffer.Via = .lan, models: [String] = ["gpt"], to: String = "mate") -> TopologyBuilder {
        var builder = TopologyBuilder()
            .owner("me")
            .owner("mate", database: false)
            .link("home", .lan, subnet: "192.168.1.0/24")
            .node("ws", owner: "me", links: [("home", "192.168.1.10")], apps: [.litellm, .litellmDB])
            .node("gpu", owner: "me", links: [("home", "192.168.1.20")])
            .node("box", owner: "mate", links: [("home", "192.168.1.30")], apps: [.litellm])
            .model("gpt", head: "gpu")
            .model("small", head: "ws", port: 8002)
        let key = SecretRef(
            file: NodePath("~/.offer.env")!, variable: GatewayOffer.keyVariable, sha256: nil, path: SpecPath.root / "owners" / "me" / "offers" / 0 / "key")
        builder.topology.owners[0].offers = [GatewayOffer(to: to, models: models, via: via, key: key, path: SpecPath.root / "owners" / "me" / "offers" / 0)]
        return builder
    }

    private static func plan(_ builder: TopologyBuilder) throws -> Plan {
        let resolved = builder.resolve()
        return try #require(resolved.plan, "\(resolved.diagnostics.map(\.message))")
    }

    @Test func theOtherGatewayRoutesTheOfferedModelsToTheOfferingLiteLLMWithTheKey() throws {
        let plan = try Self.plan(Self.home())
        let routes = try #require(plan.node(named: "box")?.litellm?.routes)
        #expect(routes.map(\.servedName) == ["gpt"], "only the offered model, not 'small'")
        #expect(routes.first?.apiBase == "http://192.168.1.10:8001/v1", "the offering LiteLLM, never gpt's own port")
        #expect(routes.first?.apiKeyVariable == GatewayOffer.keyVariable)
        // The offering gateway binds every address so the LAN reaches it; the other does not.
        #expect(plan.node(named: "ws")?.litellm?.listenAddress == "0.0.0.0")
        #expect(plan.node(named: "box")?.litellm?.listenAddress == "127.0.0.1")
    }

    @Test func theOfferingGatewayMintsAKeyLimitedToTheOfferAndTheOtherCopiesIt() throws {
        let plan = try Self.plan(Self.home())
        let minted = try #require(plan.node(named: "ws")?.secretFiles.first { $0.path == "/home/ops/.offer.env" })
        #expect(minted.source == .virtualKey(app: "offer-mate", models: ["gpt"]))
        let copied = try #require(plan.node(named: "box")?.secretFiles.first { $0.path == "/home/ops/.offer.env" })
        #expect(copied.source == .copied(node: "ws", path: "/home/ops/.offer.env"))
        #expect(copied.readers == ["litellm"])
        let copy = try #require(CopiedSecret.all(in: plan).first)
        #expect(copy.grant == .offeredKey && copy.offer?.to == "mate" && copy.crossesOwners)
    }

    @Test func theFirewallAdmitsTheOtherGatewayToLiteLLMAndNothingToTheModel() throws {
        let plan = try Self.plan(Self.home())
        let ws = try #require(plan.node(named: "ws"))
        // On the LAN (tailscale0 is the tailnet policy's), the LiteLLM port is the other gateway's alone.
        let rules = FirewallPlanner.rules(for: ws, in: plan).filter { $0.port == 8001 && $0.interface != FirewallPlanner.tailscaleInterface }
        #expect(rules.map(\.source) == ["192.168.1.30"], "\(rules)")
        let matrix = Reachability(plan)
        let box = Vantage.linkPeer("box", link: "home")
        #expect(matrix.isReachable("ws", port: 8001, from: box))
        #expect(!matrix.isReachable("gpu", port: 8000, from: box), "the model's own port stays shut to the other owner")
        #expect(!matrix.isReachable("ws", port: 8001, from: .lan("home")), "the rest of the LAN does not reach the gateway")
        #expect(matrix.isReachable("gpu", port: 8000, from: .linkPeer("ws", link: "home")))
    }

    @Test func anOfferOverTheTailnetIsGrantedTheLiteLLMPortOnTheTag() throws {
        var builder = Self.home(via: .tailnet)
        builder.topology.nodes[2].tailnet = "me-net"
        let plan = try Self.plan(builder)
        #expect(plan.node(named: "box")?.litellm?.routes.first?.apiBase == "http://ws:8001/v1")
        let policy = try #require(plan.tailnet(named: "me-net")?.policy)
        #expect(policy.grants.contains { $0.sources == ["tag:me"] && $0.ports == [8001] }, "\(policy.grants)")
        #expect(plan.node(named: "ws")?.litellm?.listenAddress == "127.0.0.1", "tailscale serve forwards to loopback")
    }

    @Test func eachWrongOfferIsOneErrorAtItsEntry() throws {
        func error(_ builder: TopologyBuilder) -> Diagnostic? { builder.resolve().diagnostics.first { $0.severity == .error } }
        let unknown = try #require(error(Self.home(to: "mat")))
        #expect(unknown.message.contains("unknown owner 'mat'") && unknown.path?.description == "owners.me.offers[0].to")
        let unrouted = try #require(error(Self.home(models: ["gpt", "nope"])))
        #expect(unrouted.message.contains("unknown model 'nope'") && unrouted.path?.description == "owners.me.offers[0].models[1]")
        var notRouted = Self.home()
        notRouted.topology.owners[0].models = ["small"]
        #expect(error(notRouted)?.message.contains("offers model 'gpt', which the LiteLLM on 'ws' does not route") == true)
        var offLAN = Self.home()
        offLAN.topology.nodes[2].addresses = []
        #expect(error(offLAN)?.message.contains("share no LAN") == true)
        #expect(error(Self.home(via: .tailnet))?.message.contains("'box' on 'mate-net'") == true)
        #expect(error(Self.home(models: []))?.message.contains("offers no model") == true, "an empty list would let the key call every model")
    }

    @Test func anOfferFromALiteLLMWithoutADatabaseIsSC006() throws {
        var builder = Self.home()
        builder.topology.nodes[0].apps = [.litellm]
        let finding = try #require(builder.findings().first { $0.code == "SC006" })
        #expect(finding.message.contains("offers 'gpt' to 'mate' with a key"))
        #expect(finding.path?.description == "owners.me.offers[0].key")
    }
}
