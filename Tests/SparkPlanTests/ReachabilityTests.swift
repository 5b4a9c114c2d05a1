import SparkGenKit
import SparkPlan
import SparkTestSupport
import Testing

/// The trust intent of the split-trust example, as the reachability model derives it.
@Suite struct ReachabilityTests {
    private static func matrix(_ text: String = Fixtures.splitTrust) throws -> Reachability {
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        return Reachability(try #require(compilation.plan))
    }

    @Test func clientTailnetReachesOnlyItsOwnApps() throws {
        let matrix = try Self.matrix()
        for port in [8001, 8080, 5678] {
            #expect(matrix.isReachable("spark-02", port: port, from: .ownTailnet), "sparky-02:\(port)")
            #expect(!matrix.isReachable("spark-01", port: port, from: .otherTailnet("client-net")), "spark-01:\(port)")
        }
        #expect(!matrix.isReachable("spark-02", port: 5432, from: .ownTailnet))
        let fromClient = matrix.entries.filter { $0.node == "spark-01" && $0.vantage == .otherTailnet("client-net") && $0.reachable }
        #expect(fromClient.isEmpty, "client-net reaches \(fromClient.map(\.service.port)) on spark-01")
    }

    @Test func modelPortAnswersOnlyLocallyAndOverTheDAC() throws {
        let matrix = try Self.matrix()
        let vllm = matrix.entries.filter { $0.node == "spark-01" && $0.service.port == 8000 }
        let open = Set(vllm.filter(\.reachable).map(\.vantage))
        // Code a Ray peer runs on spark-01 stands where spark-01's own processes do.
        #expect(open == [.local, .linkPeer("spark-02", link: "dac"), .rayPeer])
        // Every vantage but spark-01's own tailnet as "other", spark-01 as its own DAC peer, and
        // the other nodes of its tailnet by tag (it is the only node of you-net).
        #expect(vllm.count == matrix.vantages.count - 3)
    }

    /// Code a Ray peer schedules on a member runs in its Ray container on the host's network:
    /// every listener of the node answers it, loopback included (issue 23, item 1).
    @Test func aRayPeersCodeReachesEveryListenerOfTheMember() throws {
        let text = Fixtures.splitTrust
        let plan = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").plan)
        let matrix = Reachability(plan)
        #expect(matrix.vantages.contains(.rayPeer))
        for node in ["spark-01", "spark-02"] {
            let cells = matrix.entries.filter { $0.node == node && $0.vantage == .rayPeer }
            #expect(!cells.isEmpty && cells.allSatisfy(\.reachable), "\(node)")
            #expect(cells.count == Reachability.listeners(of: try #require(plan.node(named: node))).count)
        }
        for port in [8001, 5432, 8080, 5678, 8787] {
            #expect(matrix.isReachable("spark-01", port: port, from: .rayPeer), "spark-01:\(port)")
        }
        let head = try #require(plan.node(named: "spark-01"))
        #expect(Reachability.otherOwners(of: .rayPeer, toward: head, in: plan) == ["client"])
        #expect(Reachability.relevant(plan).isReachable("spark-01", port: 5432, from: .rayPeer))
        // A node in no multi-node cluster has no Ray peer.
        let solo = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/one-box/topology.yaml", encoding: .utf8)
        let oneBox = try Self.matrix(solo)
        #expect(!oneBox.vantages.contains(.rayPeer))
        #expect(!oneBox.entries.contains { $0.vantage == .rayPeer })
    }

    @Test func onlySSHIsReachableFromTheMgmtLAN() throws {
        let matrix = try Self.matrix()
        let open = matrix.entries.filter { $0.vantage == .lan("mgmt") && $0.reachable }
        #expect(open.map(\.service.port) == [22, 22], "\(open.map { "\($0.node):\($0.service.port)" })")
    }

    @Test func sshFollowsTheTailnetGrantAndNeverCrossesTheDAC() throws {
        let matrix = try Self.matrix()
        // you-net grants ssh, client-net does not; neither cluster peer may ssh over the DAC,
        // although the firewall admits every other port of the peer.
        #expect(matrix.isReachable("spark-01", port: 22, from: .ownTailnet))
        #expect(!matrix.isReachable("spark-02", port: 22, from: .ownTailnet))
        #expect(!matrix.isReachable("spark-01", port: 22, from: .linkPeer("spark-02", link: "dac")))
        #expect(!matrix.isReachable("spark-02", port: 22, from: .linkPeer("spark-01", link: "dac")))
    }

    @Test func aNodeReachesOnlyTheModelsItsOwnersLiteLLMRoutes() throws {
        let lab = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/three-node-lab/topology.yaml", encoding: .utf8)
        let matrix = try Self.matrix(lab)
        // bob's gpu-c and alice's cluster share a DAC switch, and neither owner routes the other's model.
        #expect(!matrix.isReachable("gpu-a", port: 8000, from: .linkPeer("gpu-c", link: "dac")))
        #expect(!matrix.isReachable("gpu-c", port: 8002, from: .linkPeer("gpu-a", link: "dac")))
        #expect(!matrix.isReachable("gpu-c", port: 8002, from: .linkPeer("gpu-b", link: "dac")))
        // Models with only local callers bind loopback.
        let plan = try #require(Compilation.run(bytes: Array(lab.utf8), file: "topology.yaml").plan)
        #expect(plan.clusters.map(\.apiHost) == ["127.0.0.1", "127.0.0.1"])
        #expect(plan.node(named: "gpu-c")?.litellm?.routes.map(\.servedName) == ["qwen3-30b"])
        #expect(plan.node(named: "gpu-a")?.litellm?.routes.map(\.servedName) == ["qwen3.5-122b"])
        let gpuA = try #require(plan.node(named: "gpu-a"))
        #expect(!FirewallPlanner.rules(for: gpuA, in: plan).contains { $0.source == "198.51.100.3" && $0.action == .allow })
    }

    @Test func aSharedModelIsOpenToItsCallerOnly() throws {
        let lab = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/three-node-lab/topology.yaml", encoding: .utf8)
            .replacingOccurrences(
                of: "    master_key: {file: ~/.bob-litellm.env}\n", with: "    master_key: {file: ~/.bob-litellm.env}\n    models: [qwen3-30b, qwen3.5-122b]\n"
            )
            .replacingOccurrences(of: "    port: 8000\n", with: "    port: 8000\n    shared_with: [bob]\n")
        let matrix = try Self.matrix(lab)
        #expect(matrix.isReachable("gpu-a", port: 8000, from: .linkPeer("gpu-c", link: "dac")))
        #expect(!matrix.isReachable("gpu-a", port: 8001, from: .linkPeer("gpu-c", link: "dac")))
        #expect(!matrix.isReachable("gpu-c", port: 8002, from: .linkPeer("gpu-a", link: "dac")))
    }

    @Test func appsAreClosedToTheOtherNodeOverTheDAC() throws {
        let matrix = try Self.matrix()
        for port in [8001, 8080, 5678, 5432] {
            #expect(!matrix.isReachable("spark-02", port: port, from: .linkPeer("spark-01", link: "dac")))
            #expect(!matrix.isReachable("spark-01", port: port, from: .linkPeer("spark-02", link: "dac")))
        }
    }

    @Test func aWildcardModelListenerIsOpenToTheMgmtLANAndFollowsTheFirewall() throws {
        let text = Fixtures.splitTrust(replacing: "    port: 8000\n", with: "    port: 8000\n    listen: 0.0.0.0\n")
            .replacingOccurrences(of: "accept_risks:\n", with: "accept_risks:\n  - rule: ST001\n    reason: \"a test of the reachability model only\"\n")
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        let matrix = Reachability(try #require(compilation.plan))
        // ufw still denies the mgmt LAN; the tailnet policy still grants no 8000, so both stay closed…
        #expect(!matrix.isReachable("spark-01", port: 8000, from: .lan("mgmt")))
        #expect(!matrix.isReachable("spark-01", port: 8000, from: .ownTailnet))
        // …until a grant names the port: tailnet traffic bypasses ufw.
        let granted = text.replacingOccurrences(
            of: "    users: [you@example.com]\n", with: "    users: [you@example.com]\n    grants: [{src: [group:owner-users], ports: [8000]}]\n")
        let opened = Reachability(try #require(Compilation.run(bytes: Array(granted.utf8), file: "topology.yaml").plan))
        #expect(opened.isReachable("spark-01", port: 8000, from: .ownTailnet))
    }

    @Test func firewallRulesAreFirstMatchWithDefaultDeny() throws {
        let plan = try #require(Compilation.run(path: Fixtures.splitTrustPath).plan)
        let head = try #require(plan.node(named: "spark-01"))
        let rules = FirewallPlanner.rules(for: head, in: plan)
        let denyIndex = try #require(rules.firstIndex { $0.action == .deny && $0.port == 8001 })
        let allowAll = try #require(rules.firstIndex { $0.action == .allow && $0.port == nil })
        #expect(denyIndex < allowAll, "the app deny must come before the peer's allow-all")
        #expect(!rules.contains { $0.interface == FirewallPlanner.tailscaleInterface && [8000, 6379, 8265].contains($0.port ?? -1) })
    }
}
