import Foundation
import SparkRules
import SparkTestSupport
import Testing

/// `rules`, `explain` and `trust`, as users run them.
@Suite struct CatalogCommandTests {
    @Test func rulesListsEveryRule() {
        let result = CommandRunner.run(Fixtures.binary, ["rules"])
        #expect(result.status == 0)
        for rule in RuleCatalog.rules {
            #expect(result.stdout.contains("\(rule.description.id)  "), "\(rule.description.id) missing")
        }
    }

    @Test(arguments: RuleCatalog.rules.map(\.description.id))
    func explainWorksForEveryRule(_ id: String) throws {
        let rule = try #require(RuleCatalog.rule(id: id)).description
        let result = CommandRunner.run(Fixtures.binary, ["explain", id.lowercased()])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("\(id): \(rule.title)"))
        #expect(result.stdout.contains("Why\n") && result.stdout.contains("Triggers") && result.stdout.contains("Does not trigger"))
        #expect(result.stdout.contains("↓"), "the triggering example shows where the finding points")
        // The bases the examples name, under a heading that says what they are to the reader.
        let bases = "\nBase topologies (minimal, lint clean: each example above edits only the lines it shows)\n"
        #expect(result.stdout.contains(bases), "\(id): no heading over the bases")
        let listed = "\n" + (result.stdout.components(separatedBy: bases).last ?? "")
        for example in rule.triggering + rule.nonTriggering {
            #expect(listed.contains("\n  \(example.fixture.name): \(example.fixture.summary)\n"), "\(id): \(example.fixture.name)")
        }
        // A `\\` left at a line's end in a Swift multi-line string prints as a stray backslash.
        let why = result.stdout.components(separatedBy: "Triggers")[0]
        #expect(!why.contains("\\"), "\(id): a stray backslash in Why or Fix")
    }

    /// Breaking the example in any one of the catalog's ways makes `lint` exit 1 with a finding
    /// at the line and column that has to change.
    @Test(arguments: RuleCatalog.rules.map(\.description.id))
    func lintFailsAtTheMarkedLineForEveryRule(_ id: String) throws {
        let rule = try #require(RuleCatalog.rule(id: id)).description
        for example in rule.triggering {
            let (text, marker) = try Fixtures.materialize(example)
            let location = try #require(marker)
            let directory = Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try text.write(toFile: directory + "/topology.yaml", atomically: true, encoding: .utf8)
            // Warnings fail lint only with --strict.
            let strict = rule.severity == .warning ? ["--strict"] : []
            let result = CommandRunner.run(Fixtures.binary, ["lint", "topology.yaml"] + strict, in: directory)
            #expect(result.status == 1, "\(id): \(result.stderr)")
            #expect(result.stderr.contains("topology.yaml:\(location.line):\(location.column): \(rule.severity.rawValue)[\(id)]: "), "\(id): \(result.stderr)")
        }
    }

    /// The pre-commit hook definition parses and selects topology files, and only those.
    @Test func preCommitHookSelectsTopologies() {
        let script = """
            import re, sys, yaml
            hooks = yaml.safe_load(open(sys.argv[1]))
            hook = next(h for h in hooks if h["id"] == "spark-gen-lint")
            assert hook["entry"] == "spark-gen lint" and hook["language"] == "swift", hook
            pattern = re.compile(hook["files"])
            assert all(pattern.search(p) for p in ["topology.yaml", "examples/split-trust/topology.yaml", "lab/topology.yml"])
            assert not any(pattern.search(p) for p in ["compose.yaml", "out/lab/litellm-config.yaml", "my-topology.yaml.bak"])
            print("ok")
            """
        let result = CommandRunner.tool("python3", ["-c", script, Fixtures.repositoryRoot + "/.pre-commit-hooks.yaml"])
        #expect(result.stdout == "ok\n", "\(result.stderr)")
    }

    @Test func explainSuggestsTheNearestRule() {
        let result = CommandRunner.run(Fixtures.binary, ["explain", "ST01"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("did you mean ST001?"))
    }

    @Test func trustStatesWhatTheGuideGetsWrong() {
        let result = CommandRunner.run(Fixtures.binary, ["trust", Fixtures.splitTrustPath])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        #expect(text.contains("client: runs a parallel rank of qwen3.5-122b on spark-02: vLLM sends the token ids of every prompt to all ranks"))
        #expect(text.contains("any member can run code on every member (Ray has no access control between the jobs of a cluster"))
        #expect(text.contains("no dashboard or job API"))
        #expect(text.contains("Ray's GCS (6379) and raylet listen on every address in every Ray release"))
        // The reachability table: spark-01's vLLM row is open to itself and its DAC peer only.
        let row = text.split(separator: "\n").first { $0.contains("8000  vllm qwen3.5-122b") }
        #expect(row.map { $0.split(separator: " ").filter { $0 == "yes" }.count } == 1, "\(row ?? "no row")")
        // …and the DAC peer and the code a Ray peer runs on spark-01 are another owner's, which the report names.
        #expect(row.map { $0.split(separator: " ").filter { $0 == "yes*" }.count } == 2, "\(row ?? "no row")")
        #expect(text.contains("client → you: spark-02 over the DAC reaches vllm qwen3.5-122b (8000) on spark-01"))
        #expect(text.contains("22    ssh"))
        // spark-02 runs code of spark-01's owner through Ray; as itself on its tailnet it reaches nothing.
        #expect(text.contains("spark-02 as tag:hjp-ai on client-net (its Ray peers belong to you): nothing"))
    }

    /// A Ray peer's task runs in the member's Ray container on the host's network: trust lists,
    /// per member, every listener it reaches there, the loopback-only apps included (issue 23,
    /// item 1). Before, trust said only "members can run code on each other's Ray processes".
    @Test func trustStatesWhatARayPeersCodeReachesOnEveryMember() {
        let result = CommandRunner.run(Fixtures.binary, ["trust", Fixtures.splitTrustPath])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        #expect(
            text.contains(
                "On spark-01 (you), code that spark-02 (client) schedules there runs in the Ray container on the host's network, so it "
                    + "reaches every listener of spark-01, loopback included: ssh 22 (0.0.0.0), litellm 8001 (127.0.0.1), litellm-db 5432 (127.0.0.1), "
                    + "open-webui 8080 (127.0.0.1), n8n 5678 (127.0.0.1), hermes-webui 8787 (127.0.0.1)"), "\(text)")
        #expect(text.contains("and every port on 127.0.0.1, 192.0.2.21, 198.51.100.1 and its tailnet address, whatever listens there"))
        // The containers drop NET_RAW (VLLMContainer.capabilities), so trust no longer says a
        // task can capture the master key smoke.sh sends over loopback, and names what is kept.
        #expect(!text.contains("the LiteLLM master key smoke.sh and verify.sh send to 127.0.0.1"))
        #expect(text.contains("Containers: root without capabilities but IPC_LOCK"))
        #expect(text.contains("On spark-02 (client), code that spark-01 (you) schedules there"))
        // The cross-owner section says it once per node, with every port.
        #expect(
            text.contains(
                "client → you: code a Ray peer (spark-02) runs on spark-01 reaches every listener there, loopback included: ssh (22), litellm (8001), litellm-db (5432)"
            ))
        // The matrix has the vantage: spark-01's loopback-only LiteLLM database is open to it, from another owner.
        let row = text.split(separator: "\n").first { $0.contains("5432  litellm-db") }
        #expect(row?.hasSuffix("yes*") == true, "\(row ?? "no row")")
        #expect(text.contains("code a Ray peer runs here"))
        // TR001's message names them too.
        let lint = CommandRunner.run(Fixtures.binary, ["lint", Fixtures.splitTrustPath])
        #expect(
            lint.stderr.contains("on 'spark-01' it reaches ssh 22, litellm 8001 (loopback), litellm-db 5432 (loopback)")
                || lint.stdout.contains("on 'spark-01' it reaches ssh 22, litellm 8001 (loopback), litellm-db 5432 (loopback)"), "\(lint.stdout)\(lint.stderr)")
    }

    /// Every ssh key spark-gen has the operator install is code execution on its node, and trust
    /// says so with what its gate limits it to (issue 23, item 2).
    @Test func trustListsEverySSHKeyAsCodeExecution() {
        let result = CommandRunner.run(Fixtures.binary, ["trust", Fixtures.repositoryRoot + "/examples/spark-control/topology.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        let keys = result.stdout.components(separatedBy: "\nssh keys spark-gen installs").dropFirst().first ?? ""
        #expect(keys.contains("code execution as the node's user (in the docker group, so root)"), "\(result.stdout)")
        for node in ["spark-1", "spark-2"] {
            #expect(keys.contains("- \(node) (me, owner me): the key of the spark-control panel on host start9, from 192.168.1.10 alone; restrict"))
        }
        #expect(keys.contains("- spark-2 (me, owner me): the key of me@spark-1, for its scripts/swap.sh, from 192.168.1.51 alone"))
        #expect(keys.contains("command=/home/me/spark-control/scripts/ssh-gate-start9.sh runs only: swap to qwen36;"))
        #expect(keys.contains("restart magpie. Anything else is refused and logged"))
        let none = CommandRunner.run(Fixtures.binary, ["trust", Fixtures.splitTrustPath])
        #expect(none.stdout.contains("ssh keys spark-gen installs: code execution as the node's user (in the docker group, so root)\n  - none\n"))
    }
}
