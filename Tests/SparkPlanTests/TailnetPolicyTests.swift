import SparkGenKit
import SparkTestSupport
import Testing

@testable import SparkPlan

/// The generated tailnet policies, read the way Tailscale reads them.
@Suite struct TailnetPolicyTests {
    private static func policy(_ tailnet: String, _ text: String = Fixtures.splitTrust) throws -> TailnetPolicy {
        let plan = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").plan)
        return try #require(plan.tailnets.first { $0.name == tailnet }).policy
    }

    @Test func aWildcardSourceIncludesTaggedDevicesButMembersDoNot() {
        let policy = TailnetPolicy(
            tagOwners: [], groups: [("group:users", ["a@example.com"])],
            grants: [
                .init(sources: ["*"], destinations: ["tag:x"], ports: [80], path: nil),
                .init(sources: ["autogroup:member"], destinations: ["tag:y"], ports: [80], path: nil),
                .init(sources: ["group:users"], destinations: ["tag:z"], ports: nil, path: nil),
            ],
            tests: [])
        #expect(policy.allows("tag:node", to: "tag:x", port: 80))
        #expect(!policy.allows("tag:node", to: "tag:y", port: 80))
        #expect(policy.allows("b@example.com", to: "tag:y", port: 80))
        #expect(policy.allows("a@example.com", to: "tag:z", port: 9999))
        #expect(!policy.allows("b@example.com", to: "tag:z", port: 80))
        #expect(!policy.allows("a@example.com", to: "tag:x", port: 81))
    }

    @Test func keptOpenDevicesAreNotOpenToTheClusterNodesTag() throws {
        let policy = try Self.policy("client-net")
        #expect(!policy.grants.contains { $0.sources.contains("*") }, "a '*' source includes tag:hjp-ai")
        // Before: client-net's keep-open grants let spark-02 (whose Ray peer belongs to another
        // owner) open any port on the members' devices and the Dell server.
        #expect(!policy.allows("tag:hjp-ai", to: "client@example.com", port: 22))
        #expect(!policy.allows("tag:hjp-ai", to: "tag:hjp-dell-server", port: 443))
        #expect(policy.allows("client@example.com", to: "tag:hjp-dell-server", port: 443))
        #expect(policy.allows("tag:hjp-dell-server", to: "client@example.com", port: 22))
        #expect(policy.tests.contains { $0.source == "tag:hjp-ai" && $0.deny.contains("client@example.com:22") })
        #expect(policy.failingTests().isEmpty)
    }

    @Test func testsDenyEveryRayListenerThatRunsCode() throws {
        let policy = try Self.policy("you-net")
        let denied = Set(policy.tests[0].deny)
        for port in [5432, 6379, 8000, 8265, 10001, 52365] {
            #expect(denied.contains("tag:owner:\(port)"), "tests do not deny \(port)")
        }
    }

    @Test func theOwnersOtherDevicesCanBeKeptWithGrantsOfTheirOwn() throws {
        // The file replaces the whole policy: a grant with dst keeps what the owner's other devices had.
        let text = Fixtures.splitTrust(
            replacing: "    users: [you@example.com]\n",
            with: "    users: [you@example.com]\n    grants: [{src: [autogroup:member], dst: [tag:nas], ports: [445]}]\n")
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        #expect(!compilation.hasErrors, "\(compilation.diagnostics.map(\.oneLine))")
        let policy = try Self.policy("you-net", text)
        #expect(policy.allows("you@example.com", to: "tag:nas", port: 445))
        #expect(!policy.allows("you@example.com", to: "tag:owner", port: 445))
        let file = try #require(compilation.artifacts?.first { $0.path == "tailnets/you-net/policy.hujson" })
        #expect(file.contents.contains("This is the WHOLE policy: it replaces"))
    }

    @Test func aGrantThatContradictsTheTestsFails() throws {
        let text = Fixtures.splitTrust(
            replacing: "    users: [you@example.com]\n", with: "    users: [you@example.com]\n    grants: [{src: [\"*\"], ports: [5432]}]\n")
        let failures = try Self.policy("you-net", text).failingTests()
        #expect(failures.map(\.target) == ["tag:owner:5432"])
    }

    @Test func sharedInUsersAreAdmittedToTheSharedPortOnTheNodesAddress() throws {
        // The policy replaces the sharer's whole policy: without a grant to autogroup:shared the
        // users who accepted the share reach nothing (before: no such grant was written).
        let text = Fixtures.splitTrust(
            replacing: "    keep_members_open: true\n",
            with: "    keep_members_open: true\n    share: [{with: you-net, nodes: [spark-02], ports: [8080]}]\n"
        )
        .replacingOccurrences(of: "    ssh: true\n", with: "    ssh: true\n    accept: [{from: client-net, nodes: [spark-02]}]\n")
        .replacingOccurrences(of: "    tailnet_hostname: sparky-02\n", with: "    tailnet_hostname: sparky-02\n    tailnet_ip: 100.64.0.22\n")
        let policy = try Self.policy("client-net", text)
        let shared = policy.grants.filter { $0.sources == ["autogroup:shared"] }
        #expect(shared.map(\.destinations) == [["100.64.0.22"]])
        #expect(shared.map(\.ports) == [[8080]])
        #expect(policy.failingTests().isEmpty)
        // The share itself is a console step; the runbook of the shared node says so.
        let artifacts = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").artifacts)
        let runbook = try #require(artifacts.first { $0.path.hasPrefix("nodes/spark-02/") && $0.path.hasSuffix("RUNBOOK.md") })
        #expect(runbook.contents.contains("Share this machine with the users of tailnet you-net (you@example.com)"))
        #expect(runbook.contents.contains("tailscale/tailscale#5321"))
        // Trust and the picture name who gets through: the users who accepted, not the tailnet.
        let plan = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").plan)
        let trust = TrustReport(plan: plan).render()
        #expect(trust.contains("users of tailnet you-net who accepted a share reaches"), "\(trust)")
        let readme = try #require(artifacts.first { $0.path == "README.md" })
        #expect(readme.contents.contains("shared_you_net([\"users of you-net who accepted a share (not its tagged nodes)\"])"))
        #expect(readme.contents.contains("shared_you_net -->|\"8080 open-webui\"| node_spark_02"), "\(readme.contents)")
    }

    /// A grant to the tag does not admit shared-in users (tailscale/tailscale#14445): a shared
    /// node without tailnet_ip gets no grant and an ST012 error, not a grant to its tag that does
    /// nothing (before: `autogroup:shared` → `tag:hjp-ai`, silently).
    @Test func aSharedNodeWithoutItsAddressIsAnErrorNotAGrantToItsTag() throws {
        let text = Fixtures.splitTrust(
            replacing: "    keep_members_open: true\n",
            with: "    keep_members_open: true\n    share: [{with: you-net, nodes: [spark-02], ports: [8080]}]\n"
        )
        .replacingOccurrences(of: "    ssh: true\n", with: "    ssh: true\n    accept: [{from: client-net, nodes: [spark-02]}]\n")
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        let finding = try #require(compilation.diagnostics.first { $0.code == "ST012" })
        #expect(finding.severity == .error)
        #expect(finding.message.contains("node 'spark-02' is shared with the users of tailnet 'you-net' but has no tailnet_ip"))
        #expect(finding.message.contains("tailscale/tailscale#14445"))
        let plan = try #require(compilation.plan)
        let policy = try #require(plan.tailnet(named: "client-net")).policy
        #expect(policy.grants.filter { $0.sources == ["autogroup:shared"] }.isEmpty)
        #expect(!Reachability(plan).isReachable("spark-02", port: 8080, from: .otherTailnet("you-net")))
    }

    @Test func appPortsAreGrantedOnlyOnTheNodesThatServeThem() throws {
        // three-node-lab: gpu-a runs LiteLLM (8001) and Open WebUI (8080), gpu-b runs neither;
        // both carry tag:alice-gpu. Before, the grant opened 8001 and 8080 on the tag, gpu-b included.
        let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/three-node-lab/topology.yaml", encoding: .utf8)
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        let tailnet = try #require(compilation.plan?.tailnet(named: "alice-net"))
        #expect(tailnet.tags(of: "gpu-b") == ["tag:alice-gpu"])
        #expect(tailnet.tags(of: "gpu-a") == ["tag:alice-gpu", "tag:alice-gpu-gpu-a"])
        for port in [8001, 8080] {
            #expect(!tailnet.policy.allows("alice@example.com", to: "tag:alice-gpu", port: port), "\(port) is open on gpu-b")
            #expect(tailnet.policy.allows("alice@example.com", to: "tag:alice-gpu-gpu-a", port: port))
            #expect(tailnet.policy.tests[0].deny.contains("tag:alice-gpu:\(port)"))
        }
        #expect(tailnet.policy.allows("alice@example.com", to: "tag:alice-gpu", port: 22))
        #expect(tailnet.policy.failingTests().isEmpty)
        let up = try #require(compilation.artifacts?.first { $0.path.hasPrefix("nodes/gpu-a/") && $0.path.hasSuffix("scripts/tailscale-up.sh") })
        #expect(up.contents.contains("--advertise-tags=tag:alice-gpu,tag:alice-gpu-gpu-a"))
    }
}
