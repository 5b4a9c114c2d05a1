import Foundation
import SparkGenKit
import SparkTestSupport
import Testing

/// Every artifact is read by the program that will read it on the node, through
/// proof/prove.py (which also prints the per-example table in scripts/test.sh). The tools are
/// installed by scripts/bootstrap.sh --test; a missing tool fails the check, never skips it.
/// Each checker is also shown to fail on a tree broken on purpose, or a green result would
/// prove nothing.
@Suite struct RealToolTests {
    static let checkers = [
        "shell", "runbook", "systemd", "compose", "yaml", "policy", "postgres", "nginx", "discovery", "swap", "hf", "hfcache", "handover", "offer", "vllm",
        "litellm", "apply", "netplan",
    ]

    private static func prove(_ arguments: [String], label: String? = nil, test: String = #function) async -> CommandResult {
        await Proof.prove(arguments, label: label, test: test)
    }

    /// Examples with nothing for a checker: one-box, multi-model and homelab run LiteLLM in compose (no
    /// systemd unit), one-box and homelab have no database, spark-control no LiteLLM at all, and only
    /// spark-control has a catalog (a swap script and a panel's discovery document); one-box, multi-model
    /// and solo-box copy no secret from another node. Listed, so a
    /// checker that silently stops finding files still fails.
    static let nothingToCheck: Set<String> = Set([
        "one-box/systemd", "one-box/postgres", "multi-model/systemd",
        "one-box/nginx", "solo-box/nginx", "split-trust/nginx", "three-node-lab/nginx", "two-links/nginx",
        "spark-control/systemd", "spark-control/postgres", "spark-control/nginx", "spark-control/litellm",
        "homelab/systemd", "homelab/postgres", "homelab/nginx",
        "one-box/handover", "multi-model/handover", "solo-box/handover",
        // shared-gateway: no NGINX, no catalog.
        "shared-gateway/nginx", "shared-gateway/discovery", "shared-gateway/swap",
    ]).union(["split-trust", "three-node-lab", "two-links", "solo-box", "one-box", "multi-model", "homelab"].flatMap { ["\($0)/discovery", "\($0)/swap"] })
        // The playbook is applied for real on one node of split-trust and of spark-control only (prove.py's ANSIBLE_APPLIED).
        .union(Fixtures.examples.map(\.name).filter { !["split-trust", "spark-control"].contains($0) }.map { "\($0)/apply" })
        // Only these have direct links or fabrics, whose ports get a netplan file.
        .union(["one-box", "multi-model", "solo-box", "homelab", "shared-gateway"].map { "\($0)/netplan" })
        // Only shared-gateway offers models to another owner.
        .union(["split-trust", "three-node-lab", "two-links", "solo-box", "one-box", "multi-model", "homelab", "spark-control"].map { "\($0)/offer" })

    /// Examples whose output a checker refuses today, with the finding: a bug in the example, kept
    /// visible until it is fixed (when it is, this test fails: remove the entry). None today.
    static let knownFailing: [String: String] = [:]

    @Test(arguments: Fixtures.examples.map(\.name), checkers)
    func everyArtifactPassesItsChecker(_ example: String, _ checker: String) async {
        let result = await Self.prove(["--example", example, "--only", checker])
        ProofReport.record(result.stdout, example: example, checker: checker)
        if let finding = Self.knownFailing["\(example)/\(checker)"] {
            #expect(
                result.status == 1 && result.stdout.contains(finding),
                "\(example) no longer fails \(checker) with its known finding (fixed? remove it from knownFailing): \(result.stdout)")
            return
        }
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(" passed, 0 failed"))
        if Self.nothingToCheck.contains("\(example)/\(checker)") {
            #expect(result.stdout.contains(": 0 checks"), "the \(checker) checker now finds files in \(example): remove it from nothingToCheck")
        } else {
            #expect(!result.stdout.contains(": 0 checks"), "the \(checker) checker found nothing to check")
        }
    }

    /// The static Ansible checks of every example in one prove.py run: one ansible-lint and one
    /// syntax-check read every playbook (each start imports ansible-core, more than the checks of
    /// one playbook cost), and each example's rows are recorded for the table as its own.
    @Test func everyPlaybookPassesTheAnsibleCheckersInOneRun() async {
        let result = await Self.prove(["--only", "ansible"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(" passed, 0 failed"))
        for example in Fixtures.examples.map(\.name) {
            let part = Self.part(of: result.stdout, example: example)
            ProofReport.record(part, example: example, checker: "ansible")
            #expect(part.contains("== \(example): 1 checks"), "the ansible checker found nothing to check in \(example): \(part)")
        }
    }

    /// One example's heading and rows of a prove.py run over several, with its own totals line
    /// (what a run of that example alone prints).
    static func part(of output: String, example: String) -> String {
        let heading = "== \(example): "
        var lines: [Substring] = []
        var inside = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("== ") || line.hasPrefix("prove: ") { inside = line.hasPrefix(heading) }
            if inside { lines.append(line) }
        }
        let rows = lines.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        let passed = rows.filter { $0.hasSuffix("  ok") }.count
        let failed = rows.filter { $0.hasSuffix("  FAIL") }.count
        return "\n" + lines.joined(separator: "\n") + "\n\nprove: \(passed) passed, \(failed) failed\n"
    }

    static let stack = "nodes/spark-01/home/cameron/sparky-ai-stack"
    static let netplanFile = "nodes/spark-01/etc/netplan/60-spark-gen-dac.yaml"

    @Test(arguments: [
        ("systemd", "nodes/spark-01/etc/systemd/system/litellm.service", "RestartSec=5", "RestartSecc=5", "RestartSecc"),
        ("shell", stack + "/scripts/firewall.sh", "ufw --force reset", "ufw --force reset $UNQUOTED", "SC2086"),
        ("compose", stack + "/compose.yaml", "restart: unless-stopped", "restart: sometimes", "not a Docker restart policy"),
        ("compose", stack + "/compose.yaml", "network_mode: host", "network_mode: [host]", "invalid type"),
        ("yaml", stack + "/litellm-config.yaml", "model_list:", "model_list: [", "while parsing a flow node"),
        // Two patterns after one --exclude: hf 1.x and later fetch the second as a file.
        ("hf", stack + "/RUNBOOK.md", "--exclude 'metal/*' --exclude 'original/*'", "--exclude 'metal/*' 'original/*'", "the line names a repository"),
        // The weights' cache writable again, and the containers back online: huggingface_hub then
        // rewrites refs/main and fetches the moved branch into the read-only cache.
        (
            "hfcache", stack + "/scripts/vllm-head.sh", "/root/.cache/huggingface/hub:ro\"", "/root/.cache/huggingface/hub\"",
            "expected one read-only mount"
        ),
        (
            "hfcache", "nodes/spark-02/home/cameron/sparky-ai-stack/scripts/vllm-worker.sh", "  -e HF_HUB_OFFLINE=1 \\\n", "",
            "the cached repository did not load"
        ),
        ("runbook", stack + "/RUNBOOK.md", "sudo /home/cameron/sparky-ai-stack/scripts/firewall.sh\n", "sudo $STACK/scripts/firewall.sh\n", "SC2086"),
        // The image's initdb default trusts 127.0.0.1 and the socket: every local process is superuser.
        (
            "postgres", stack + "/compose.yaml", "      POSTGRES_INITDB_ARGS: --auth-local=scram-sha-256 --auth-host=scram-sha-256\n", "",
            "fresh volume: no password is refused (127.0.0.1)"
        ),
        ("postgres", stack + "/RUNBOOK.md", "docker kill --signal=HUP litellm-db\n", "", "guide volume after the migration: no password is refused"),
        // The password as psql's argument, as the migration once passed it: readable in /proc by every user.
        (
            "postgres", stack + "/RUNBOOK.md", "| psql -q -v ON_ERROR_STOP=1 -U litellm -d litellm'",
            "| psql -q -v ON_ERROR_STOP=1 -U litellm -d litellm -v pw=\"$POSTGRES_PASSWORD\"'", "keeps the password off every command line"
        ),
        ("policy", "tailnets/you-net/policy.hujson", "\"tcp:8787\"", "\"tcp:8787\", \"tcp:8000\"", "test deny tag:owner:8000"),
        ("policy", "tailnets/you-net/policy.hujson", "\"tag:owner\": [", "\"tag:other\": [", "tag:owner is not declared in tagOwners"),
        // The one grant that keeps client-net's members and Dell server open, widened to the nodes' tag.
        (
            "policy", "tailnets/client-net/policy.hujson", "\"src\": [\n        \"autogroup:member\",",
            "\"src\": [\n        \"tag:hjp-ai\",\n        \"autogroup:member\",", "test deny client@example.com:22 for tag:hjp-ai fails"
        ),
        // A literal key in the config instead of the environment's: the owner's real key is refused.
        (
            "litellm", stack + "/litellm-config.yaml", "master_key: os.environ/LITELLM_MASTER_KEY", "master_key: sk-not-the-owners-key-0123456789",
            "FAIL GET /v1/models with spark-01's key"
        ),
        // A value the image's vLLM (NGC 26.04: 0.19.0) does not register, and a flag it does not have.
        (
            "vllm", stack + "/scripts/vllm-head-entrypoint.sh", "--tool-call-parser qwen3_coder", "--tool-call-parser qwen3_codr",
            "--tool-call-parser qwen3_codr: vLLM 0.19.0 accepts"
        ),
        (
            "vllm", stack + "/scripts/vllm-head-entrypoint.sh", "--enable-prefix-caching", "--enable-prefix-cache",
            "--enable-prefix-cache: vLLM 0.19.0 has no such flag"
        ),
        // An image whose vLLM nothing in facts/vllm/images.json names.
        (
            "vllm", stack + "/scripts/vllm-head.sh", "image=vllm-spark:26.04", "image=vllm-spark:latest",
            "does not say which vLLM vllm-spark:latest carries"
        ),
        // A module by its short name, a mode as a number (0644 read as decimal 420), a play's tasks broken.
        ("ansible", "ansible/site.yml", "    ansible.builtin.user:", "    user:", "fqcn[action-core]"),
        ("ansible", "ansible/site.yml", "mode: \"0755\"", "mode: 0755", "yaml[octal-values]"),
        ("ansible", "ansible/site.yml", "  tasks:\n", "  taskz:\n", "ansible-playbook --syntax-check"),
        // Applied for real: a file left more readable than the build made it, and a drift check that never says so.
        ("apply", "ansible/site.yml", "compose.yaml\"\n        mode: \"0600\"", "compose.yaml\"\n        mode: \"0644\"", "FAIL mode/owner"),
        ("apply", "ansible/drift.sh", "END { exit found ? 1 : 0 }", "END { exit 0 }", "FAIL drift.sh after"),
        // Weights in a default run (tens of GB), and a changed compose file that recreates nothing.
        ("apply", "ansible/site.yml", "tags: [weights, never]", "tags: [weights]", "FAIL first apply's calls: a default run downloaded weights"),
        (
            "apply", "ansible/site.yml", "      notify: \"Mark the compose services of /home/cameron/sparky-ai-stack for restart\"\n", "",
            "FAIL first apply's calls: missing ['docker compose up -d (in /home/cameron/sparky-ai-stack)']"
        ),
        // A changed litellm-config.yaml that leaves the running LiteLLM on the old one.
        (
            "apply", "ansible/site.yml",
            "litellm-config.yaml\"\n        mode: \"0600\"\n        owner: \"cameron\"\n        group: \"1000\"\n      notify: \"Mark litellm.service for restart\"\n",
            "litellm-config.yaml\"\n        mode: \"0600\"\n        owner: \"cameron\"\n        group: \"1000\"\n", "FAIL apply after changes"
        ),
        // A link's MTU that is not the one verify.sh checks, a default route over a cluster link,
        // a prefix netplan refuses, and a runbook that writes other bytes than the tree's file.
        ("netplan", Self.netplanFile, "mtu: 9216", "mtu: 1500", "MTUBytes=['1500'], verify.sh expects 9216"),
        (
            "netplan", Self.netplanFile, "      optional: true\n", "      optional: true\n      routes: [{to: default, via: 198.51.100.2}]\n",
            "a gateway or route"
        ),
        ("netplan", Self.netplanFile, "198.51.100.1/30", "198.51.100.1/33", "invalid prefix length"),
        ("netplan", Self.netplanFile, "      optional: true\n", "", "boot waits for it"),
        ("netplan", stack + "/RUNBOOK.md", "      addresses: [198.51.100.1/30]\n", "      addresses: [198.51.100.1/24]\n", "RUNBOOK.md does not write"),
        // A changed netplan file that is never applied: the ports keep their old addresses.
        ("apply", "ansible/site.yml", "      notify: \"Apply netplan\"\n", "", "netplan apply did not run"),
        // The secrets manifest and the runbook that makes the files must agree.
        ("litellm-config", stack + "/secrets.json", "\"LITELLM_MASTER_KEY\"", "\"LITELLM_KEY\"", "secrets.json says ['LITELLM_KEY', 'LITELLM_SALT_KEY']"),
    ])
    func aBrokenArtifactFailsItsChecker(_ checker: String, _ file: String, _ old: String, _ new: String, _ evidence: String) async throws {
        try await Self.breakAndProve("split-trust", checker, file, old, new, evidence)
    }

    static let gateway = "nodes/spark/home/me/multi-model"

    /// The gateway apps of multi-model, broken one way each.
    @Test(arguments: [
        ("nginx", gateway + "/nginx/litellm.conf", "proxy_buffering off;", "proxy_buffering of;", "invalid value \"of\" in \"proxy_buffering\" directive"),
        // HSTS pinned on a self-signed certificate would lock browsers out once it changes.
        (
            "litellm", gateway + "/nginx/litellm.conf", "    client_max_body_size 64m;\n",
            "    client_max_body_size 64m;\n    add_header Strict-Transport-Security \"max-age=31536000\" always;\n",
            "FAIL nginx sends no Strict-Transport-Security"
        ),
        (
            "litellm", gateway + "/compose.yaml", "printf 'requirepass %s\\n' \"$$REDIS_PASSWORD\" | exec docker-entrypoint.sh redis-server -",
            "exec docker-entrypoint.sh redis-server", "a client without the password -> PONG"
        ),
        (
            "litellm", gateway + "/litellm-config.yaml", "password: os.environ/REDIS_PASSWORD", "password: os.environ/LITELLM_SALT_KEY",
            "FAIL redis 127.0.0.1:6379 holds LiteLLM's answer"
        ),
        // LiteLLM at the 600 s it had, behind NGINX's 1800 s: it cuts what NGINX still waits for.
        // These two are read by LiteLLM's own config loader: litellm-config, no proxy started.
        ("litellm-config", gateway + "/litellm-config.yaml", "  timeout: 1800\n", "  timeout: 600\n", "FAIL LiteLLM's request timeout (600 s) is not shorter"),
        // A timeout LiteLLM does not take as written: its Router replaces 0 with its default.
        (
            "litellm-config", gateway + "/litellm-config.yaml", "  timeout: 1800\n", "  timeout: 0\n",
            "FAIL router_settings.timeout: the file says 0, LiteLLM's Router holds"
        ),
        // The checks as they were: a model listed by /v1/models passes with its backend down.
        (
            "litellm", gateway + "/scripts/smoke.sh", "completion() {\n", "completion() {\n  curl -fsSk -H @\"$2\" \"$1/v1/models\" >/dev/null && return 0\n",
            "FAIL 127.0.0.1:8001 down: smoke.sh -> exit 0"
        ),
        (
            "litellm", gateway + "/scripts/verify.sh", "completion() {\n", "completion() {\n  curl -fsSk -H @\"$2\" \"$1/v1/models\" >/dev/null && return 0\n",
            "FAIL 127.0.0.1:8001 down: verify.sh's LiteLLM section -> exit 0"
        ),
        ("netns", gateway + "/compose.yaml", "--bind 127.0.0.1 --port 6379", "--port 6379", "the artifacts bind port 6379 on 0.0.0.0"),
        ("netns", gateway + "/nginx/litellm.conf", "listen 127.0.0.1:443 ssl;", "listen 443 ssl;", "the artifacts bind port 443 on 0.0.0.0"),
        // A compose command list: a kv-cache dtype vLLM 0.19.0 does not have, and a switch given a value.
        (
            "vllm", gateway + "/compose.yaml", "    - --kv-cache-dtype\n    - fp8\n", "    - --kv-cache-dtype\n    - turboquant_k8v4\n",
            "--kv-cache-dtype turboquant_k8v4: vLLM 0.19.0 accepts"
        ),
        (
            "vllm", gateway + "/compose.yaml", "    - --enable-auto-tool-choice\n", "    - --enable-auto-tool-choice=yes\n",
            "--enable-auto-tool-choice is a switch in vLLM 0.19.0 and takes no value"
        ),
    ])
    func aBrokenGatewayFailsItsChecker(_ checker: String, _ file: String, _ old: String, _ new: String, _ evidence: String) async throws {
        try await Self.breakAndProve("multi-model", checker, file, old, new, evidence)
    }

    static let gatewayHolder = "nodes/ubuntu/home/me/homelab"

    /// homelab's gateway gets the Spark's vLLM key handed over; the hand-over, broken one way each.
    @Test(arguments: [
        // No check of the value: an empty copy is installed, and LiteLLM calls the model with no key (401).
        ("  ssh me@ubuntu grep -q \"'^VLLM_API_KEY=.'\" \"$tmp\"\n", "", "FAIL  ubuntu empty: the step fails"),
        // No trap: a failed copy leaves its temporary file beside the key.
        ("  trap 'ssh me@ubuntu rm -f \"$tmp\"' EXIT\n", "", "FAIL  ubuntu down: nothing left beside /home/me/.homelab-spark-vllm.env"),
        // The old guard: an empty file a failed copy left counts as done on every later run.
        (
            "ssh me@ubuntu test -s /home/me/.homelab-spark-vllm.env ||", "ssh me@ubuntu test -e /home/me/.homelab-spark-vllm.env ||",
            "FAIL  ubuntu stale: the empty /home/me/.homelab-spark-vllm.env is replaced"
        ),
    ])
    func aBrokenHandoverFailsItsChecker(_ old: String, _ new: String, _ evidence: String) async throws {
        try await Self.breakAndProve("homelab", "handover", Self.gatewayHolder + "/RUNBOOK.md", old, new, evidence)
    }

    static let catalogHead = "nodes/spark-1/home/me/spark-control"

    /// The catalog of spark-control, broken one way each.
    @Test(arguments: [
        // The discovery document sends LAN clients to the head's port, which admits the panel alone.
        (
            "discovery", "hosts/start9/spark-control/endpoints.json", "\"https://spark-control/v1\"", "\"http://192.168.1.51:8888/v1\"",
            "is not the panel's 'https://spark-control/v1'"
        ),
        // …or to a speech NIM's.
        (
            "discovery", "hosts/start9/spark-control/endpoints.json", "\"https://spark-control\",\n    \"kind\": \"tts\"",
            "\"http://192.168.1.52:9000\",\n    \"kind\": \"tts\"", "magpie.base_url 'http://192.168.1.52:9000' is not the panel's"
        ),
        // Without the lock, a second swap stops the model the first is loading.
        ("swap", catalogHead + "/scripts/swap.sh", "if ! flock -n 9; then", "if false; then", "FAIL  spark-1: lock"),
        // State.Running reads true in restart back-off: the swap waits for the time-out.
        (
            "swap", catalogHead + "/scripts/swap.sh", "if [ \"$state\" != 'running 0' ]; then\n      echo \"$container failed",
            "if [ \"$(docker inspect -f '{{.State.Running}}' \"$container\")\" != true ]; then\n      echo \"$container failed", "FAIL  spark-1: restarting"
        ),
        // A gate that hands the request to a shell runs whatever follows a ';'.
        (
            "swap", catalogHead + "/scripts/ssh-gate-start9.sh", "case \"$request\" in", "bash -c \"$request\" || true\ncase \"$request\" in",
            "FAIL  spark-1: gate ssh-gate-start9.sh"
        ),
        // A swap that leaves the old model running starts the new one on a port still held.
        ("swap", catalogHead + "/scripts/swap.sh", "docker rm -f vllm-qwen36 vllm-qwen3-vl", "docker rm -f vllm-qwen3-vl", "FAIL"),
        // Without the worker check, a dead worker leaves the swap waiting for the time-out.
        ("swap", catalogHead + "/scripts/swap.sh", "    workers_run \"$1\" || return 1\n", "", "FAIL  spark-1: worker dies"),
        (
            "netns", catalogHead + "/scripts/firewall.sh", "ufw allow in from 192.168.1.10 to 192.168.1.51 port 8888",
            "ufw allow in from 192.168.1.0/24 to 192.168.1.51 port 8888", "yes ≠ —!"
        ),
    ])
    func aBrokenCatalogFailsItsChecker(_ checker: String, _ file: String, _ old: String, _ new: String, _ evidence: String) async throws {
        try await Self.breakAndProve("spark-control", checker, file, old, new, evidence)
    }

    /// one-box with routing: qwen3-coder falls back to qwen3-coder-llama, then qwen3-235b;
    /// qwen3-coder-llama is capped at its two llama.cpp slots and spills to qwen3-235b;
    /// qwen3-235b is senior; and two route names. Its LiteLLM config is proven as built (busy
    /// spill, outage down the chain, the senior failing alone, the aliases), then broken one way each.
    static let routedEdits = [
        ("    node: framework\n  qwen3-coder-llama:", "    node: framework\n    fallbacks: [qwen3-coder-llama, qwen3-235b]\n  qwen3-coder-llama:"),
        ("      parallel: 2\n", "      parallel: 2\n    max_parallel_requests: 2\n    fallbacks: [qwen3-235b]\n"),
        ("    max_tokens: 2000\n", "    max_tokens: 2000\n    senior: true\n"),
    ]

    @Test(
        arguments: [
            ("", "", nil),
            // The senior's empty chain given a target: with its backend down a lesser model answers.
            ("  - qwen3-235b: []\n", "  - qwen3-235b: [qwen3-coder]\n", "FAIL senior: qwen3-235b down: model=qwen3-235b -> 200 from qwen3-coder"),
            // No cap: the third request waits for the busy server instead of going to qwen3-235b.
            ("    max_parallel_requests: 2\n", "", "FAIL spill: model=qwen3-coder-llama (no max_parallel_requests"),
        ] as [(String, String, String?)])
    func routedGatewayIsProvenAndBreaksShow(_ old: String, _ new: String, _ evidence: String?) async throws {
        var topology = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/one-box/topology.yaml", encoding: .utf8)
        for (before, after) in Self.routedEdits {
            let range = try #require(topology.range(of: before), "one-box no longer has \(before)")
            topology.replaceSubrange(range, with: after)
        }
        topology += "\nroutes:\n  box/code: qwen3-coder\n  box/senior: qwen3-235b\n"
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let file = scratch + "/topology.yaml", tree = scratch + "/tree", intent = scratch + "/intent.json"
        try topology.write(toFile: file, atomically: true, encoding: .utf8)
        let build = CommandRunner.run(Fixtures.binary, ["build", file, "-o", tree])
        try #require(build.status == 0, "spark-gen build failed: \(build.stderr)")
        let trust = CommandRunner.run(Fixtures.binary, ["trust", file, "--format", "json"])
        try #require(trust.status == 0, "spark-gen trust failed: \(trust.stderr)")
        try trust.stdout.write(toFile: intent, atomically: true, encoding: .utf8)
        if !old.isEmpty {
            let config = tree + "/nodes/framework/home/me/framework/litellm-config.yaml"
            let text = try String(contentsOfFile: config, encoding: .utf8)
            let range = try #require(text.range(of: old), "the generated config has no \(old)")
            try text.replacingCharacters(in: range, with: new).write(toFile: config, atomically: true, encoding: .utf8)
        }
        // A break case runs only the routing part of litellm's checks, which as built proved
        // the rest of this config (--litellm-only routing), and stops after it (--fail-fast).
        let result = await Self.prove(
            ["--tree", tree, "--intent", intent, "--only", "litellm"] + (evidence == nil ? [] : ["--fail-fast", "--litellm-only", "routing"]),
            label: "one-box routed litellm: \(evidence ?? "as built")")
        if let evidence {
            #expect(result.status == 1, "litellm accepted the routed config with \(old) made \(new): \(result.stdout)")
            #expect(result.stdout.contains(evidence), "\(result.stdout)")
        } else {
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains(" passed, 0 failed"))
        }
    }

    /// Each apply break case runs the check it breaks alone, after the part of the first run that
    /// check needs, chosen by tag (proof/ansible_apply.py's ONLY; a run of the playbook costs 10-20
    /// CPU-s here): the unbroken tree's proof runs every check, whole.
    static let applyOnly = [
        "FAIL mode/owner": "files", "FAIL drift.sh after": "drift", "FAIL first apply's calls: a default run downloaded weights": "weights",
        "FAIL first apply's calls: missing ['docker compose up -d (in /home/cameron/sparky-ai-stack)']": "calls",
        "FAIL apply after changes": "changes", "netplan apply did not run": "files",
    ]

    /// The ansible break cases run the static check they break alone: ansible-playbook's
    /// syntax-check, or ansible-lint with the rule they break (-t): the unbroken trees' run has
    /// every check and every rule.
    static let ansibleOnly = [
        "fqcn[action-core]": "lint:fqcn[action-core]", "yaml[octal-values]": "lint:yaml[octal-values]",
        "ansible-playbook --syntax-check": "syntax-check",
    ]

    /// The swap break cases of a later check run it alone after the start: the checks before it
    /// (proven on the unbroken tree) leave it nothing but a model serving, which the start does.
    static let swapOnly = [
        "FAIL  spark-1: gate ssh-gate-start9.sh": ["gates"], "FAIL  spark-1: lock": ["lock"], "FAIL  spark-1: restarting": ["restarting"],
        "FAIL  spark-1: worker dies": ["worker"],
    ]

    /// The litellm break cases of a later part run it alone after the starts (the stubs, Redis,
    /// the proxy, NGINX): the parts before it were proven on the unbroken tree and change
    /// nothing it reads. Not NGINX's: its streaming check times chunks, and a proxy that has
    /// served nothing yet does its first requests' lazy work in the middle of that stream.
    static let litellmOnly = [
        "a client without the password -> PONG": ["redis"], "FAIL redis 127.0.0.1:6379 holds LiteLLM's answer": ["redis"],
        "FAIL 127.0.0.1:8001 down: smoke.sh -> exit 0": ["scripts"], "FAIL 127.0.0.1:8001 down: verify.sh's LiteLLM section -> exit 0": ["scripts"],
    ]

    private static func breakAndProve(
        _ name: String, _ checker: String, _ file: String, _ old: String, _ new: String, _ evidence: String, test: String = #function
    ) async throws {
        let example = try BuiltExample(name)
        defer { example.remove() }
        try example.edit(file, replacing: old, with: new)
        // A file of one node: the checker's proof of the other nodes (proven on the unbroken
        // tree by everyArtifactPassesItsChecker) is not run again.
        let parts = file.split(separator: "/")
        let node = parts.count > 2 && parts[0] == "nodes" ? ["--node", String(parts[1])] : []
        // The part of the checker the break case needs alone: prove.py's --CHECKER-only.
        let only: [String] =
            switch checker {
            case "apply": applyOnly[evidence].map { [$0] } ?? []
            case "ansible": ansibleOnly[evidence].map { [$0] } ?? []
            case "swap": swapOnly[evidence] ?? []
            case "litellm": litellmOnly[evidence] ?? []
            default: []
            }
        let skips = only.flatMap { ["--\(checker)-only", $0] }
        let result = await prove(
            ["--tree", example.tree, "--intent", example.intent, "--only", checker, "--fail-fast"] + node + skips,
            label: ([name, checker] + node.suffix(1)).joined(separator: " ") + " break: \(evidence)", test: test)
        #expect(result.status == 1, "\(checker) accepted a broken \(file): \(result.stdout)")
        #expect(result.stdout.contains(evidence), "\(result.stdout)")
    }

    private static let schemaCheck = """
        import json, sys, yaml, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft7Validator.check_schema(schema)
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(open(sys.argv[2]))), key=str)
        print(len(errors))
        """

    @Test(arguments: Fixtures.examples.map(\.name))
    func examplesValidateAgainstTheSchema(_ name: String) {
        let result = CommandRunner.tool(
            "python3",
            [
                "-c", Self.schemaCheck, Fixtures.repositoryRoot + "/schemas/topology.schema.json",
                Fixtures.repositoryRoot + "/examples/\(name)/topology.yaml",
            ])
        #expect(result.status == 0 && result.stdout == "0\n", "\(result.stdout)\(result.stderr)")
    }

    @Test(arguments: [
        ("    dac_ip: 198.51.100.2", "    dac_ipp: 198.51.100.2"),
        ("mtu: 9216", "mtu: jumbo"),
        ("apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.sparky02-open-webui.env}}}, n8n]", "apps: [litellm, openwebui]"),
        ("mgmt_ip: 192.0.2.22", "mgmt_ip: 192.0.2.256"),
    ])
    func schemaRejectsWhatTheCompilerRejects(_ old: String, _ new: String) throws {
        let scratch = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try Fixtures.splitTrust(replacing: old, with: new).write(toFile: scratch + "/topology.yaml", atomically: true, encoding: .utf8)
        let result = CommandRunner.tool(
            "python3", ["-c", Self.schemaCheck, Fixtures.repositoryRoot + "/schemas/topology.schema.json", scratch + "/topology.yaml"])
        #expect(result.status == 0 && result.stdout != "0\n", "the schema accepted \(new): \(result.stderr)")
    }
}
