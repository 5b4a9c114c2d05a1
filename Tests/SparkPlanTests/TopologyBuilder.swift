import SparkDiagnostics
import SparkPlan
import SparkRules

@testable import SparkSpec

/// Builds topologies as Swift values, below the YAML (test-only: it reaches the spec types'
/// internal initialisers, so it lives in a test target, never in a module release builds compile): a test says what its stack is in a few
/// calls instead of editing the text of an example, then asks for the Plan or the findings.
///
/// Each call returns a new builder, so a test reads as one chain
/// (`TopologyBuilder().owner("a").node(…).model(…)`). Every element gets the spec path the
/// decoder would give it, so findings are positioned as they would be in a file.
struct TopologyBuilder {
    /// What has been built; a test may change it directly for what the calls do not cover.
    var topology: Topology

    init(stack: String = "lab") {
        topology = Topology(
            version: 1, stack: Stack(name: stack, dir: NodePath("~/\(stack)")!, timezone: nil, path: SpecPath.root / "stack"),
            owners: [], tailnets: [], links: [], nodes: [], models: [], acceptedRisks: [])
    }

    /// An owner with a tailnet of its own (tag `tag:<owner>`, user `<owner>@example.com`), a master
    /// key and, when `database`, a database password.
    func owner(_ name: String, database: Bool = true, ssh: Bool = true) -> TopologyBuilder {
        var builder = self
        let path = SpecPath.root / "owners" / name
        func secret(_ file: String, _ key: String, _ variable: String) -> SecretRef {
            SecretRef(file: NodePath("~/.\(name)-\(file)")!, variable: variable, sha256: nil, path: path / key)
        }
        builder.topology.owners.append(
            Owner(
                name: name, tailnet: "\(name)-net", masterKey: secret("litellm-key", "master_key", "LITELLM_MASTER_KEY"),
                saltKey: secret("litellm-key", "salt_key", "LITELLM_SALT_KEY"),
                dbPassword: database ? secret("litellm-db.env", "db_password", "POSTGRES_PASSWORD") : nil,
                redisPassword: secret("redis.env", "redis_password", "REDIS_PASSWORD"), models: nil, path: path))
        builder.topology.tailnets.append(
            Tailnet(
                name: "\(name)-net", tag: "tag:\(name)", users: ["\(name)@example.com"], admins: ["autogroup:admin"], keepOpenTags: [],
                keepMembersOpen: false, ssh: ssh, grants: [], shares: [], accepts: [], path: SpecPath.root / "tailnets" / "\(name)-net"))
        return builder
    }

    func link(_ name: String, _ kind: Link.Kind, subnet: String, interface: String? = "enp1s0f0np0") -> TopologyBuilder {
        var builder = self
        builder.topology.links.append(
            Link(
                name: name, kind: kind, subnet: IPv4Network(subnet)!, interface: kind == .lan ? nil : interface,
                mtu: kind == .lan ? nil : 9000, hcas: [], path: SpecPath.root / "links" / name))
        return builder
    }

    /// A DGX Spark of `owner` with an address per link (`["fabric": "10.0.0.1"]`) and `apps`.
    func node(_ name: String, owner: String, links: [(String, String)], apps: [App] = []) -> TopologyBuilder {
        var builder = self
        let path = SpecPath.root / "nodes" / name
        builder.topology.nodes.append(
            Node(
                name: name, owner: owner, user: "ops", home: "/home/ops", uid: 1000, gid: 1000,
                hardware: Hardware(kind: "dgx-spark", arch: "arm64", memoryGB: 128, usableGB: 121, gpus: 1, gpuVendor: .nvidia, path: path / "hardware"),
                addresses: links.map { LinkAddress(link: $0.0, ip: IPv4Address($0.1)!, path: path / "links" / $0.0) },
                tailnetHostname: name, apps: apps, appOptions: [:], tailnet: nil, advertiseRoutes: [], firewall: [], python: "3.12", path: path))
        return builder
    }

    /// A model headed by `head`, with `workers` (tensor parallel across all of them): vLLM by
    /// default, or one node's Ollama or llama.cpp server (a compose service).
    func model(
        _ name: String, head: String, workers: [String] = [], port: Int = 8000, link: String? = nil, runtime kind: Runtime.Kind = .vllm,
        image: String? = nil, start: StartPolicy = .auto
    ) -> TopologyBuilder {
        var builder = self
        let path = SpecPath.root / "models" / name
        let multiNode = !workers.isEmpty
        let upstream =
            image
            ?? (kind == .vllm ? "nvcr.io/nvidia/vllm:26.04-py3" : kind == .ollama ? "ollama/ollama:0.12.6" : "ghcr.io/ggml-org/llama.cpp:server-cuda-b6700")
        builder.topology.models.append(
            Model(
                name: name, source: kind == .ollama ? "qwen3:8b" : "Qwen/Qwen3-30B-A3B-Instruct-2507-FP8", servedName: name, weightsGB: 32,
                runtime: Runtime(
                    kind: kind, runner: kind == .vllm ? .dockerRun : .compose, baseImage: upstream, image: kind == .vllm ? "vllm-spark:26.04" : upstream,
                    rayVersion: nil,
                    rayToken: multiNode
                        ? SecretRef(file: NodePath("~/.ray.env")!, variable: "RAY_AUTH_TOKEN", sha256: nil, path: path / "runtime" / "ray_token") : nil,
                    path: path / "runtime"),
                cluster: Cluster(
                    head: head, workers: workers, link: link, tensorParallel: workers.count + 1, pipelineParallel: 1, rayPort: 6379,
                    path: path / "cluster"),
                port: port, listen: nil,
                vllm: VLLMOptions(
                    dtype: "auto", gpuMemoryUtilization: 0.8, maxModelLen: 32768, maxNumBatchedTokens: nil, maxNumSeqs: nil,
                    enablePrefixCaching: false, enableChunkedPrefill: false, toolCallParser: "hermes", reasoningParser: nil, quantization: nil,
                    kvCacheDtype: nil, distributedExecutorBackend: nil, defaultChatTemplateKwargs: [], path: path / "vllm"),
                llamaCpp: kind == .llamaCpp
                    ? LlamaCppOptions(
                        gguf: "model-Q4_K_M.gguf", directory: NodePath("~/models/\(name)")!, contextSize: 32768, parallel: 2, gpuLayers: 999,
                        path: path / "llama_cpp")
                    : nil,
                start: start, maxTokens: nil, sharedWith: [], path: path))
        // Followed on purpose, as the examples do (HY007); Ollama pulls by tag only.
        if kind != .ollama { builder.topology.models[builder.topology.models.count - 1].revision = "main" }
        return builder
    }

    /// A machine spark-gen does not deploy to, with an address per LAN.
    func host(_ name: String, links: [(String, String)]) -> TopologyBuilder {
        var builder = self
        let path = SpecPath.root / "hosts" / name
        builder.topology.hosts.append(
            Host(
                name: name, addresses: links.map { LinkAddress(link: $0.0, ip: IPv4Address($0.1)!, path: path / "links" / $0.0) }, path: path))
        return builder
    }

    /// A catalog whose `members` (models added before) take turns on `port`, `active` running.
    func catalog(_ name: String, members: [String], active: String, port: Int = 8888, panel: String? = nil) -> TopologyBuilder {
        var builder = self
        builder.topology.catalogs.append(Catalog(name: name, port: port, active: active, panel: panel, path: SpecPath.root / "catalogs" / name))
        for index in builder.topology.models.indices where members.contains(builder.topology.models[index].name) {
            builder.topology.models[index].catalog = name
            builder.topology.models[index].port = port
            builder.topology.models[index].start = builder.topology.models[index].name == active ? .auto : .manual
        }
        return builder
    }

    /// The resolver's Plan and its findings (nil Plan when a reference is wrong).
    func resolve() -> (plan: Plan?, diagnostics: [Diagnostic]) {
        PlanResolver.resolve(topology, sourceName: "topology.yaml")
    }

    /// Every finding: the resolver's, then the rule catalog's when the Plan exists.
    func findings() -> [Diagnostic] {
        let resolved = resolve()
        guard let plan = resolved.plan else { return resolved.diagnostics }
        return resolved.diagnostics + RuleCatalog.check(RuleContext(plan: plan))
    }
}
