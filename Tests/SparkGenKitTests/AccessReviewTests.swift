import Foundation
import SparkGenKit
import SparkTestSupport
import Testing

/// `spark-gen review`: each topology change of the test set shows its access delta first, and
/// the exit code says whether CI should ask for an extra approval.
@Suite struct AccessReviewTests {
    private static let lab = Fixtures.repositoryRoot + "/examples/three-node-lab/topology.yaml"

    private static func review(_ base: String, _ head: String) throws -> AccessReview {
        let old = Compilation.run(bytes: Array(base.utf8), file: "topology.yaml")
        let new = Compilation.run(bytes: Array(head.utf8), file: "topology.yaml")
        return AccessReview(
            base: try #require(old.plan), head: try #require(new.plan), baseDiagnostics: old.diagnostics,
            headDiagnostics: new.diagnostics, baseArtifacts: old.artifacts, headArtifacts: new.artifacts)
    }

    @Test func anUnchangedTopologyWidensNothing() throws {
        let review = try Self.review(Fixtures.splitTrust, Fixtures.splitTrust + "# a comment\n")
        #expect(!review.needsApproval)
        #expect(review.files.isEmpty && review.reachGained.isEmpty && review.reachLost.isEmpty)
        #expect(review.policyGained.isEmpty && review.policyLost.isEmpty)
    }

    /// Every example against itself: the policy delta over every named identity is empty, and
    /// nothing asks for approval.
    @Test func everyExampleAgainstItselfWidensNothing() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: Fixtures.repositoryRoot + "/examples").sorted()
        #expect(examples.count > 3)
        for example in examples {
            let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/\(example)/topology.yaml", encoding: .utf8)
            let review = try Self.review(text, text)
            #expect(!review.needsApproval && review.policyGained.isEmpty && review.policyLost.isEmpty, "\(example)")
        }
    }

    private static let keptOpen = "    keep_open_tags: [tag:hjp-dell-server]\n"
    private static func withGrant(_ grant: String) -> String {
        Fixtures.splitTrust(replacing: keptOpen, with: keptOpen + "    grants: [\(grant)]\n")
    }

    /// Issue 23 item 4: a person outside the topology gets ssh and LiteLLM on client-net's node.
    /// The listener model stands where client@example.com stands, so only the policy delta sees it.
    @Test func aGrantToAStrangerWidens() throws {
        let review = try Self.review(Fixtures.splitTrust, Self.withGrant("{src: [stranger@example.com], ports: [22, 8001]}"))
        #expect(review.newErrors.isEmpty)
        #expect(review.reachGained.isEmpty)
        #expect(review.widensAccess && review.needsApproval)
        #expect(review.policyGained.map(\.text) == ["client-net: stranger@example.com → tag:hjp-ai (spark-02): 22 ssh, 8001 litellm"])
    }

    @Test func aGrantToSharedInUsersWidens() throws {
        let review = try Self.review(Fixtures.splitTrust, Self.withGrant("{src: [autogroup:shared], ports: [8001]}"))
        #expect(review.newErrors.isEmpty && review.needsApproval)
        #expect(review.policyGained.map(\.text) == ["client-net: autogroup:shared → tag:hjp-ai (spark-02): 8001 litellm"])
    }

    /// `*` covers every device, tagged and shared-in ones included: a port the users already had
    /// is newly open to everyone else, which the users' listener column cannot show.
    @Test func aGrantToEveryoneOnAPortTheUsersHadWidens() throws {
        let review = try Self.review(Fixtures.splitTrust, Self.withGrant("{src: [\"*\"], ports: [8001]}"))
        #expect(review.newErrors.isEmpty && review.reachGained.isEmpty && review.needsApproval)
        let sources = review.policyGained.filter { $0.destination == "tag:hjp-ai" }.map(\.source)
        #expect(sources == ["autogroup:member", "autogroup:shared", "autogroup:tagged", "tag:hjp-ai", "tag:hjp-dell-server"])
        #expect(!sources.contains("client@example.com"))
    }

    @Test func turningOnKeepMembersOpenWidens() throws {
        let users = "    users: [you@example.com]\n"
        let review = try Self.review(Fixtures.splitTrust, Fixtures.splitTrust(replacing: users, with: users + "    keep_members_open: true\n"))
        #expect(review.newErrors.isEmpty && review.reachGained.isEmpty && review.needsApproval)
        #expect(review.policyGained.map(\.text).contains("you-net: autogroup:member → you@example.com: every port"))
        #expect(review.policyGained.allSatisfy { $0.tailnet == "you-net" && $0.ports == nil })
    }

    /// A grant to a host's tag (LM Studio on a Windows box the topology routes to) opens a port
    /// spark-gen does not deploy.
    @Test func aGrantToAHostsTagWidens() throws {
        let base = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/homelab/topology.yaml", encoding: .utf8)
        let head = base.replacingOccurrences(
            of: "    ssh: true\n", with: "    ssh: true\n    grants: [{src: [autogroup:member], dst: [tag:lmstudio], ports: [3389]}]\n")
        let review = try Self.review(base, head)
        #expect(review.newErrors.isEmpty && review.reachGained.isEmpty && review.needsApproval)
        #expect(
            review.policyGained.map(\.text) == [
                "lab-net: autogroup:member → tag:lmstudio (win-5090): 3389",
                "lab-net: me@example.com → tag:lmstudio (win-5090): 3389",
            ])
    }

    /// A new user joins the users' group, and with it every port the group is granted.
    @Test func aNewUserOfATailnetWidens() throws {
        let users = "    users: [client@example.com]\n"
        let review = try Self.review(
            Fixtures.splitTrust, Fixtures.splitTrust(replacing: users, with: "    users: [client@example.com, stranger@example.com]\n"))
        #expect(review.needsApproval)
        #expect(review.policyGained.map(\.text).contains("client-net: stranger@example.com → tag:hjp-ai (spark-02): 5678 n8n, 8001 litellm, 8080 open-webui"))
    }

    /// Narrowing an every-port grant to one port loses every port but that one, and says so.
    @Test func narrowingKeepMembersOpenToSSHSaysWhichPortStays() throws {
        let base = Self.withGrant("{src: [client@example.com], dst: [autogroup:member], ports: [22]}")
        let head = base.replacingOccurrences(of: "    keep_members_open: true\n", with: "")
        let review = try Self.review(base, head)
        #expect(!review.needsApproval && review.policyGained.isEmpty)
        #expect(review.policyLost.map(\.text).contains("client-net: autogroup:member → client@example.com: every port"))
        #expect(review.policyLost.map(\.text).contains("client-net: client@example.com → autogroup:member: every port except 22"))
    }

    /// Taking the stranger's grant away is a narrowing: it passes, and every format lists what was lost.
    @Test func removingAStrangersGrantListsTheLostReachAndPasses() throws {
        let review = try Self.review(Self.withGrant("{src: [stranger@example.com], ports: [22, 8001]}"), Fixtures.splitTrust)
        #expect(!review.widensAccess && !review.needsApproval && review.policyGained.isEmpty)
        let line = "client-net: stranger@example.com → tag:hjp-ai (spark-02): 22 ssh, 8001 litellm"
        #expect(review.policyLost.map(\.text) == [line])
        let report = AccessReviewReport(review, includeDiffs: false)
        #expect(try report.render(.text).hasPrefix("Access does not widen.\n\nTailnet policy reach lost\n  - \(line)\n"))
        #expect(try report.render(.markdown).contains("#### Tailnet policy reach lost\n\n- client-net: stranger@example.com"))
        let json = try report.render(.json)
        #expect(json.contains("\"widens_access\": false"))
        #expect(json.contains("\"source\": \"stranger@example.com\""))
    }

    @Test func aGrantForSSHGivesTheTailnetSSH() throws {
        let head = Fixtures.splitTrust(replacing: "    keep_members_open: true\n", with: "    keep_members_open: true\n    ssh: true\n")
        let review = try Self.review(Fixtures.splitTrust, head)
        #expect(review.widensAccess)
        #expect(review.reachGained.map(\.text) == ["own tailnet → spark-02 ssh (22)"])
    }

    /// A grant to the tailnet's own tag opens a port between its nodes: invisible to the users'
    /// column, and exactly what a compromised gateway would use.
    @Test func aGrantToTheTailnetsTagOpensSSHBetweenItsNodes() throws {
        let base = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/homelab/topology.yaml", encoding: .utf8)
        let head = base.replacingOccurrences(of: "    ssh: true\n", with: "    ssh: true\n    grants: [{src: [tag:homelab], ports: [22]}]\n")
        let review = try Self.review(base, head)
        #expect(review.widensAccess)
        #expect(review.reachGained.map(\.text) == ["the tailnet's other nodes → spark ssh (22)", "the tailnet's other nodes → ubuntu ssh (22)"])
    }

    @Test func aWorkerFromAnotherOwnerLetsThemReadPromptsAndRunCode() throws {
        let base = try String(contentsOfFile: Self.lab, encoding: .utf8)
        let head = base.replacingOccurrences(
            of: "cluster: {head: gpu-c, tensor_parallel: 1}", with: "cluster: {head: gpu-c, workers: [gpu-b], tensor_parallel: 2}")
        let review = try Self.review(base, head)
        #expect(review.widensAccess)
        #expect(review.readersGained.contains { $0.hasPrefix("alice can read the prompts of bob (qwen3-30b runs a rank on gpu-b)") })
        #expect(review.codeGained.contains { $0.hasPrefix("alice can run code on gpu-c (owner bob)") })
        #expect(review.reachGained.contains { $0.node == "gpu-c" && $0.port == 6379 && $0.otherOwners == ["alice"] })
    }

    @Test func aCrossOwnerRouteIsReachGainedAndAnErrorUntilBothSidesStateIt() throws {
        let base = try String(contentsOfFile: Self.lab, encoding: .utf8)
        let oneSided = base.replacingOccurrences(
            of: "    master_key: {file: ~/.bob-litellm.env}\n", with: "    master_key: {file: ~/.bob-litellm.env}\n    models: [qwen3-30b, qwen3.5-122b]\n")
        let review = try Self.review(base, oneSided)
        #expect(review.needsApproval)
        #expect(review.newErrors.contains { $0.contains("[ST008]") })
        #expect(review.reachGained.contains { $0.node == "gpu-a" && $0.port == 8000 && $0.vantage == "gpu-c over the DAC" && $0.otherOwners == ["bob"] })
        #expect(review.readersGained.contains { $0.hasPrefix("alice can read the prompts of bob") })
        #expect(review.unbuilt == ["head"] && review.files.isEmpty)
    }

    @Test func sharingAKeyFileIsANewError() throws {
        let head = Fixtures.splitTrust(replacing: "master_key: {file: ~/.sparky02-litellm-key}", with: "master_key: {file: ~/.sparky01-litellm-key}")
        let review = try Self.review(Fixtures.splitTrust, head)
        #expect(review.needsApproval)
        #expect(review.newErrors.contains { $0.contains("[SC001]") })
        #expect(review.secretsAdded.contains { $0.hasPrefix("spark-02: /home/cameron/.sparky01-litellm-key") })
    }

    @Test func narrowingAccessIsReachLostAndPassesCI() throws {
        let base = Fixtures.splitTrust(replacing: "    keep_members_open: true\n", with: "    keep_members_open: true\n    ssh: true\n")
        let review = try Self.review(base, Fixtures.splitTrust)
        #expect(!review.needsApproval)
        #expect(review.reachLost.map(\.text) == ["own tailnet → spark-02 ssh (22)"])
        #expect(review.files.contains { $0.path == "tailnets/client-net/policy.hujson" && $0.kind == .changed })
    }

    @Test func widenedBindsAndForeignLiteLLMsAreErrorsThatNeedApproval() throws {
        // A vLLM on every address, and an app sent to the other owner's LiteLLM: both findings block.
        let wildcard = Fixtures.splitTrust(replacing: "    port: 8000\n", with: "    port: 8000\n    listen: 0.0.0.0\n")
        let bind = try Self.review(Fixtures.splitTrust, wildcard)
        #expect(bind.needsApproval && bind.newErrors.contains { $0.contains("[ST001]") })
        let foreign = Fixtures.splitTrust(
            replacing: "{open-webui: {key: {file: ~/.sparky02-open-webui.env}}}",
            with: "{open-webui: {key: {file: ~/.sparky02-open-webui.env}, litellm: spark-01}}")
        let moved = try Self.review(Fixtures.splitTrust, foreign)
        #expect(moved.needsApproval && moved.newErrors.contains { $0.contains("[ST004]") })
    }

    @Test func thePictureMarksTheFlowsAChangeAddsAndRemoves() throws {
        let withSSH = Fixtures.splitTrust(replacing: "    keep_members_open: true\n", with: "    keep_members_open: true\n    ssh: true\n")
        let widened = try Self.review(Fixtures.splitTrust, withSSH).picture
        #expect(widened.contains("  tailnet_client_net -->|\"+ 22 ssh, 8001 litellm, 8080 open-webui, 5678 n8n\"| node_spark_02\n"))
        #expect(widened.contains("  linkStyle 4 stroke:#d00,stroke-width:3px\n"))
        let narrowed = try Self.review(withSSH, Fixtures.splitTrust).picture
        #expect(narrowed.contains("  tailnet_client_net -.->|\"− 22 ssh\"| node_spark_02\n"))
        #expect(!narrowed.contains("linkStyle"))
    }

    @Test func theCommandReadsTheBaseFromGitAndExitsOneWhenAccessWidens() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let setup = """
            set -e
            git init -q && git -c user.email=t@example.com -c user.name=t commit -q --allow-empty -m start
            cp "$0" topology.yaml && git add topology.yaml && git -c user.email=t@example.com -c user.name=t commit -q -m base
            sed -i 's/    keep_members_open: true/    keep_members_open: true\\n    ssh: true/' topology.yaml
            """
        let prepared = CommandRunner.tool("bash", ["-c", setup, Fixtures.splitTrustPath], in: directory)
        #expect(prepared.status == 0, "\(prepared.stderr)")
        let text = CommandRunner.run(Fixtures.binary, ["review", "--git", "HEAD", "topology.yaml"], in: directory)
        #expect(text.status == 1, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.hasPrefix("ACCESS WIDENS: 1 listener reach(es) gained, 1 tailnet policy reach(es) gained."))
        let markdown = CommandRunner.run(Fixtures.binary, ["review", "--git", "HEAD", "topology.yaml", "--format", "markdown", "--diff"], in: directory)
        #expect(markdown.stdout.contains("<details><summary>changed <code>tailnets/client-net/policy.hujson</code>"))
        let json = CommandRunner.run(Fixtures.binary, ["review", "--git", "HEAD", "topology.yaml", "--format", "json"], in: directory)
        #expect(json.stdout.contains("\"widens_access\": true"))
        #expect(json.stdout.contains("\"policy_reach_gained\": ["))
        let missing = CommandRunner.run(Fixtures.binary, ["review", "--git", "no-such-rev", "topology.yaml"], in: directory)
        #expect(missing.status == 2 && missing.stderr.contains("git show no-such-rev:./topology.yaml failed"))
    }

    /// `spark-gen review BASE HEAD` exits 1 for the stranger's grant and 0 for taking it away.
    @Test func theCommandExitsOneForAStrangersGrantAndZeroForItsRemoval() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let granted = Self.withGrant("{src: [stranger@example.com], ports: [22, 8001]}")
        try Fixtures.splitTrust.write(toFile: directory + "/base.yaml", atomically: true, encoding: .utf8)
        try granted.write(toFile: directory + "/head.yaml", atomically: true, encoding: .utf8)
        let widened = CommandRunner.run(Fixtures.binary, ["review", "base.yaml", "head.yaml"], in: directory)
        #expect(widened.status == 1, "\(widened.stdout)\(widened.stderr)")
        #expect(widened.stdout.hasPrefix("ACCESS WIDENS: 1 tailnet policy reach(es) gained."))
        let narrowed = CommandRunner.run(Fixtures.binary, ["review", "head.yaml", "base.yaml", "--format", "json"], in: directory)
        #expect(narrowed.status == 0, "\(narrowed.stdout)\(narrowed.stderr)")
        #expect(narrowed.stdout.contains("\"policy_reach_lost\": [") && narrowed.stdout.contains("stranger@example.com"))
    }
}
