import Foundation
import SparkDiagnostics
import SparkGenKit
import SparkPlan
import SparkTestSupport
import Testing

/// Links as a list: several direct links, a box with none, and the errors that say which link
/// a cluster must use.
@Suite struct LinksTests {
    private static func example(_ name: String) throws -> String {
        try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml", encoding: .utf8)
    }

    private static func compile(_ text: String) -> Compilation {
        Compilation.run(bytes: Array(text.utf8), file: "topology.yaml", through: .plan)
    }

    private static func errors(_ text: String) -> [Diagnostic] {
        compile(text).diagnostics.filter { $0.severity == .error }
    }

    @Test func eachModelUsesTheLinkItsNodesShare() throws {
        let plan = try #require(Self.compile(try Self.example("two-links")).plan)
        #expect(plan.cluster(ofModel: "qwen3.5-122b")?.link?.name == "dac-ab")
        #expect(plan.cluster(ofModel: "qwen3-30b")?.link?.name == "dac-ac")
        #expect(plan.cluster(ofModel: "qwen3-30b")?.apiHost == "198.51.100.6")
        // spark-c's port on dac-ac is its first port, not the link's default.
        #expect(plan.node(named: "spark-c")?.interface(on: "dac-ac")?.device == "enp1s0f0np0")
        #expect(plan.node(named: "spark-a")?.interface(on: "dac-ac")?.device == "enp1s0f1np1")
    }

    @Test func aModelAnswersOnlyOverItsOwnLink() throws {
        let matrix = Reachability(try #require(Self.compile(try Self.example("two-links")).plan))
        #expect(matrix.isReachable("spark-c", port: 8002, from: .linkPeer("spark-a", link: "dac-ac")))
        #expect(!matrix.isReachable("spark-c", port: 22, from: .linkPeer("spark-a", link: "dac-ac")))
        // spark-b is on no link with spark-c: the vantage does not exist, so nothing is reachable from it.
        #expect(!matrix.entries.contains { $0.node == "spark-c" && $0.vantage == .linkPeer("spark-b", link: "dac-ab") })
        // The cluster link carries Ray; the other link does not.
        #expect(matrix.isReachable("spark-a", port: 6379, from: .linkPeer("spark-b", link: "dac-ab")))
        #expect(!matrix.isReachable("spark-a", port: 6379, from: .linkPeer("spark-c", link: "dac-ac")))
        #expect(!matrix.isReachable("spark-a", port: 8000, from: .linkPeer("spark-c", link: "dac-ac")))
    }

    @Test func aBoxWithNoLinksBringsTheTailnetUpBeforeTheFirewall() throws {
        let compilation = Compilation.run(bytes: Array(try Self.example("solo-box").utf8), file: "topology.yaml")
        let plan = try #require(compilation.plan)
        #expect(plan.links.isEmpty)
        #expect(plan.cluster(ofModel: "qwen3-30b")?.apiHost == "127.0.0.1")
        let runbook = try #require(compilation.artifacts?.first { $0.path.hasSuffix("RUNBOOK.md") }).contents
        let tailnet = try #require(runbook.range(of: ". Tailnet\n")), firewall = try #require(runbook.range(of: ". Firewall\n"))
        #expect(tailnet.lowerBound < firewall.lowerBound)
        #expect(runbook.contains("ssh comes in only over tailnet home-net"))
        #expect(compilation.artifacts?.contains { $0.path.hasSuffix("hosts.spark-gen") } == false)
    }

    @Test func membersOnDifferentLinksAreAnError() throws {
        let text = try Self.example("two-links").replacingOccurrences(
            of: "cluster: {head: spark-a, workers: [spark-b]", with: "cluster: {head: spark-b, workers: [spark-c]")
        let error = try #require(Self.errors(text).first)
        #expect(
            error.message == "the nodes of model 'qwen3.5-122b' share no direct link or fabric: 'spark-b', 'spark-c', and 'spark-a', whose LiteLLM calls it")
    }

    @Test func twoSharedLinksNeedTheClusterToNameOne() throws {
        var text = try Self.example("two-links")
        text = text.replacingOccurrences(
            of: "    links: {mgmt: 192.0.2.42, dac-ab: {ip: 198.51.100.2, second_ip: 198.51.100.10}}",
            with: "    links: {mgmt: 192.0.2.42, dac-ab: {ip: 198.51.100.2, second_ip: 198.51.100.10}, spare: 203.0.113.2}")
        text = text.replacingOccurrences(of: "    links: {mgmt: 192.0.2.41, dac-ab:", with: "    links: {mgmt: 192.0.2.41, spare: 203.0.113.1, dac-ab:")
        text = text.replacingOccurrences(
            of: "  mgmt: {kind: lan", with: "  spare: {kind: direct, interface: enp2s0, subnet: 203.0.113.0/30}\n  mgmt: {kind: lan")
        let error = try #require(Self.errors(text).first)
        #expect(error.message == "the nodes of model 'qwen3.5-122b' share 2 links: 'spare', 'dac-ab'")
        #expect(error.help == "name the one the model uses with 'link: spare' under 'cluster'")
        let named = text.replacingOccurrences(of: "workers: [spark-b], tensor_parallel", with: "workers: [spark-b], link: dac-ab, tensor_parallel")
        #expect(Self.errors(named).isEmpty, "\(Self.errors(named).map(\.message))")
    }

    @Test func aOneNodeModelIsCalledOverTheLANItSharesWithItsCaller() throws {
        // spark-c leaves the direct link: spark-a's LiteLLM calls qwen3-30b over the mgmt LAN.
        let text = try Self.example("two-links")
            .replacingOccurrences(of: "  dac-ac: {kind: direct, interface: enp1s0f1np1, hca: rocep1s0f1, subnet: 198.51.100.4/30, mtu: 9216}\n", with: "")
            .replacingOccurrences(of: ", dac-ac: 198.51.100.5}", with: "}")
            .replacingOccurrences(of: "      dac-ac: {ip: 198.51.100.6, interface: enp1s0f0np0, hca: rocep1s0f0}\n", with: "")
        #expect(Self.errors(text).isEmpty, "\(Self.errors(text).map(\.oneLine))")
        let plan = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").plan)
        #expect(plan.cluster(ofModel: "qwen3-30b")?.apiHost == "192.0.2.43")
        #expect(plan.cluster(ofModel: "qwen3-30b")?.link?.name == "mgmt")
    }

    @Test func aClusterCannotRunOverALan() throws {
        let text = try Self.example("two-links").replacingOccurrences(
            of: "workers: [spark-b], tensor_parallel", with: "workers: [spark-b], link: mgmt, tensor_parallel")
        #expect(Self.errors(text).first?.message == "the cluster of model 'qwen3.5-122b' uses the mgmt LAN")
    }

    @Test func everyModelsLinkProblemIsReportedInOneRun() throws {
        let text = try Self.example("two-links")
            .replacingOccurrences(of: "workers: [spark-b], tensor_parallel", with: "workers: [spark-b], link: mgmt, tensor_parallel")
            .replacingOccurrences(of: "cluster: {head: spark-c, tensor_parallel: 1}", with: "cluster: {head: spark-c, link: dac-ab, tensor_parallel: 1}")
        #expect(
            Self.errors(text).map(\.message) == [
                "the cluster of model 'qwen3.5-122b' uses the mgmt LAN", "node 'spark-c' is not on link 'dac-ab', which model 'qwen3-30b' uses",
            ])
    }

    @Test func theShortFormNamesTheLinkItNeeds() throws {
        let text = Fixtures.splitTrust(replacing: "  mgmt: {subnet: 192.0.2.0/24}\n", with: "")
        let error = try #require(Self.errors(text).first)
        #expect(error.message == "'mgmt_ip' puts node 'spark-01' on link 'mgmt', which 'links' does not define")
        #expect(error.help == "add 'mgmt: {kind: lan, subnet: …}' under 'links', or remove 'mgmt_ip'")
    }

    @Test func anUnknownLinkSuggestsTheNearest() throws {
        let text = try Self.example("two-links").replacingOccurrences(of: "dac-ac: {ip: 198.51.100.6", with: "dac-acc: {ip: 198.51.100.6")
        // The rules run on the rest too: link dac-ac, which the typo left with one node, is reported beside it.
        let error = try #require(Self.errors(text).first { $0.inputID != nil })
        #expect(error.message == "unknown link 'dac-acc'")
        #expect(error.help?.hasPrefix("did you mean 'dac-ac'?") == true)
    }

    @Test func aNodeGivesOneAddressPerLink() throws {
        let text = Fixtures.splitTrust(replacing: "    dac_ip: 198.51.100.2\n", with: "    dac_ip: 198.51.100.2\n    links: {dac: 198.51.100.3}\n")
        #expect(Self.errors(text).first?.message == "link 'dac' has two addresses for this node")
    }

    @Test func aLegacyDacLinkOfThreeNodesIsASwitch() throws {
        let lab = try Self.example("three-node-lab").replacingOccurrences(of: "  dac: {kind: fabric, ", with: "  dac: {")
        let plan = try #require(Self.compile(lab).plan)
        #expect(plan.links.first { $0.name == "dac" }?.kind == .fabric)
        #expect(Self.errors(lab).isEmpty)
    }
}
