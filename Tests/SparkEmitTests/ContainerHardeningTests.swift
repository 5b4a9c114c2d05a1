import Foundation
import SparkEmit
import SparkGenKit
import SparkTestSupport
import Testing

/// Every vLLM container of every example, as a launch script or a compose service writes it, is
/// confined as SparkPlan's VLLMContainer says: a Ray member's code (another owner's, in
/// split-trust) must find no capability but IPC_LOCK, no setuid escalation, no writable model
/// cache and no compile cache another container loads.
@Suite struct ContainerHardeningTests {
    /// One container's flags, from `docker run` options or a compose service.
    struct Container {
        var file: String
        var name: String
        var capDropAll = false
        var capAdd: [String] = []
        var noNewPrivileges = false
        var environment: [String] = []
        var mounts: [String] = []
        var devices: [String] = []
        var hostIPC = false
        var shmSize: String?
        var rayMember = false

        /// What is wrong with it, one line each; empty when it is confined as it must be.
        var problems: [String] {
            var found: [String] = []
            if !capDropAll { found.append("keeps Docker's default capabilities (no cap-drop ALL)") }
            let rdma = devices.contains("/dev/infiniband")
            // NET_BIND_SERVICE only for an API port below 1024, which no example has.
            let allowed = rdma ? ["IPC_LOCK"] : []
            if capAdd.sorted() != allowed { found.append("adds \(capAdd), expected \(allowed)") }
            if !noNewPrivileges { found.append("no no-new-privileges") }
            let hub = mounts.filter { $0.contains(".cache/huggingface") }
            if hub.isEmpty { found.append("mounts no Hugging Face cache") }
            for mount in hub where !(mount.hasSuffix(":ro") && mount.contains(".cache/huggingface/hub:")) {
                found.append("mounts \(mount) writable or beyond the hub cache")
            }
            if !environment.contains("HF_HUB_OFFLINE=1") { found.append("no HF_HUB_OFFLINE=1") }
            let compile = mounts.filter { $0.contains(":/root/.cache/vllm") }
            if compile.count != 1 { found.append("has \(compile.count) compile cache mounts") }
            for mount in compile where mount.hasPrefix("/") || mount.hasPrefix("$") || mount.hasPrefix("\"") {
                found.append("compile cache \(mount) is a host folder, not a volume of its own")
            }
            if rayMember && (hostIPC || shmSize == nil) { found.append("a Ray member in the host's IPC namespace") }
            return found
        }

        var compileSource: String? {
            mounts.first { $0.contains(":/root/.cache/vllm") }.map { String($0.prefix { $0 != ":" }) }
        }
    }

    /// The `docker run` of a launch script, option by option.
    static func launched(_ file: String, _ script: String, entrypoint: String?) -> Container? {
        let lines = script.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("docker run") }) else { return nil }
        var container = Container(file: file, name: file)
        container.rayMember = entrypoint?.contains("ray start") ?? false
        for raw in lines[(start + 1)...] {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let option = line.hasSuffix("\\") ? String(line.dropLast()).trimmingCharacters(in: .whitespaces) : line
            let words = option.split(separator: " ", maxSplits: 1).map(String.init)
            let value = words.count > 1 ? words[1].replacingOccurrences(of: "\"", with: "") : ""
            switch words.first ?? "" {
            case "--cap-drop": container.capDropAll = container.capDropAll || value == "ALL"
            case "--cap-add": container.capAdd.append(value)
            case "--security-opt": container.noNewPrivileges = container.noNewPrivileges || value.hasPrefix("no-new-privileges")
            case "-e": container.environment.append(value.replacingOccurrences(of: "'", with: ""))
            case "-v": container.mounts.append(value)
            case "--device": container.devices.append(value)
            case "--ipc": container.hostIPC = value == "host"
            case "--shm-size": container.shmSize = value
            default: break
            }
            if !line.hasSuffix("\\") { break }
        }
        return container
    }

    /// The vLLM services of a compose file (those whose entrypoint is `vllm serve`).
    static func services(_ file: String, _ compose: String) -> [Container] {
        var blocks: [(String, [String])] = []
        var inServices = false
        for line in compose.components(separatedBy: "\n") where !line.hasPrefix("#") {
            if !line.hasPrefix(" ") {
                inServices = line == "services:"
                continue
            }
            guard inServices else { continue }
            if line.hasPrefix("  ") && !line.hasPrefix("   ") && line.hasSuffix(":") {
                blocks.append((String(line.dropFirst(2).dropLast()), []))
            } else if !blocks.isEmpty {
                blocks[blocks.count - 1].1.append(line)
            }
        }
        return blocks.compactMap { name, lines in
            guard lines.joined(separator: "\n").contains("entrypoint:\n    - vllm\n    - serve") else { return nil }
            var container = Container(file: file, name: name)
            var key = ""
            for line in lines {
                let text = line.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("    ") && !line.hasPrefix("     ") && !text.hasPrefix("- ") {
                    key = String(text.prefix { $0 != ":" })
                    if key == "ipc" { container.hostIPC = text.hasSuffix("host") }
                    if key == "shm_size" { container.shmSize = String(text.dropFirst("shm_size:".count)) }
                    continue
                }
                let item = text.hasPrefix("- ") ? String(text.dropFirst(2)).replacingOccurrences(of: "\"", with: "") : text
                switch key {
                case "cap_drop": container.capDropAll = container.capDropAll || item == "ALL"
                case "cap_add": container.capAdd.append(item)
                case "security_opt": container.noNewPrivileges = container.noNewPrivileges || item.hasPrefix("no-new-privileges")
                case "volumes": container.mounts.append(item)
                case "devices": container.devices.append(item)
                case "environment":
                    let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2 { container.environment.append("\(parts[0])=\(parts[1].replacingOccurrences(of: "\"", with: ""))") }
                default: break
                }
            }
            return container
        }
    }

    /// Every vLLM container of an example's artifacts, by node.
    static func containers(_ artifacts: [Artifact]) -> [String: [Container]] {
        var byNode: [String: [Container]] = [:]
        for artifact in artifacts {
            let parts = artifact.path.split(separator: "/")
            guard parts.count > 2, parts[0] == "nodes" else { continue }
            let node = String(parts[1])
            let name = String(parts.last ?? "")
            if name.hasPrefix("vllm-") && name.hasSuffix(".sh") && !name.hasSuffix("-entrypoint.sh") {
                let entry = artifacts.first { $0.path == artifact.path.replacingOccurrences(of: ".sh", with: "-entrypoint.sh") }
                if let container = launched(artifact.path, artifact.contents, entrypoint: entry?.contents) { byNode[node, default: []].append(container) }
            } else if name == "compose.yaml" {
                byNode[node, default: []] += services(artifact.path, artifact.contents)
            }
        }
        return byNode
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func everyVLLMContainerIsConfined(example: String) throws {
        let path = try #require(Fixtures.examples.first { $0.name == example }).path
        let artifacts = Compilation.run(path: path).artifacts ?? []
        #expect(!artifacts.isEmpty, "\(example) builds")
        for (node, containers) in Self.containers(artifacts) {
            for container in containers {
                #expect(container.problems.isEmpty, "\(example) \(container.file) \(container.name): \(container.problems.joined(separator: "; "))")
            }
            // No two containers of a node load one compile cache.
            let sources = containers.compactMap(\.compileSource)
            #expect(Set(sources).count == sources.count, "\(example) \(node) shares a compile cache: \(sources)")
        }
    }

    /// The examples hold containers of every kind the checks read, so none passes by finding nothing.
    @Test func theChecksSeeEveryKindOfContainer() {
        var all: [Container] = []
        for example in Fixtures.examples {
            all += Self.containers(Compilation.run(path: example.path).artifacts ?? []).values.flatMap { $0 }
        }
        #expect(all.filter(\.rayMember).count >= 6, "Ray members found: \(all.filter(\.rayMember).count)")
        #expect(all.contains { $0.file.hasSuffix("compose.yaml") }, "no compose vLLM service found")
        #expect(all.contains { !$0.rayMember && !$0.file.hasSuffix("compose.yaml") }, "no single-node launch script found")
        #expect(all.contains { $0.devices.contains("/dev/infiniband") })
    }

    /// An API port below 1024 needs NET_BIND_SERVICE on the host network; only the head binds it.
    @Test func aPrivilegedAPIPortKeepsTheBindCapabilityOnTheHeadAlone() throws {
        let topology = Fixtures.splitTrust(replacing: "    port: 8000", with: "    port: 800")
        let compilation = Compilation.run(bytes: Array(topology.utf8), file: "topology.yaml")
        let byNode = Self.containers(compilation.artifacts ?? [])
        let head = try #require(byNode["spark-01"]?.first)
        let worker = try #require(byNode["spark-02"]?.first)
        #expect(head.capAdd.sorted() == ["IPC_LOCK", "NET_BIND_SERVICE"], "\(head.capAdd)")
        #expect(worker.capAdd == ["IPC_LOCK"], "\(worker.capAdd)")
    }

    /// verify.sh's `confined`, run by bash against a stand-in `docker inspect` printing what Docker
    /// prints for each kind of container: a hardened one passes, an old or half-hardened one fails.
    @Test(arguments: [
        ("[ALL] [no-new-privileges] ro=true", true),  // docker run --security-opt no-new-privileges
        ("[ALL] [no-new-privileges:true] ro=true", true),  // compose security_opt
        ("[] [] ro=false", false),  // started by the launch script before the hardening
        ("[ALL] [no-new-privileges] ro=false", false),  // the hub cache writable
        ("[ALL] [] ro=true", false),
        ("[IPC_LOCK] [no-new-privileges] ro=true", false),
    ])
    func verifyTellsAConfinedContainer(_ inspected: String, _ confined: Bool) throws {
        let artifacts = Compilation.run(path: Fixtures.splitTrustPath).artifacts ?? []
        let verify = try #require(artifacts.first { $0.path.hasPrefix("nodes/spark-01/") && $0.path.hasSuffix("scripts/verify.sh") }).contents
        let start = try #require(verify.range(of: "confined() {\n"))
        let end = try #require(verify.range(of: "\n}\n", range: start.upperBound..<verify.endIndex))
        let function = String(verify[start.lowerBound..<end.upperBound])
        let script = "docker() { printf '%s\\n' '\(inspected)'; }\n" + function + "confined vllm-x\n"
        let result = CommandRunner.run("/bin/bash", ["-c", script])
        #expect((result.status == 0) == confined, "\(inspected): exit \(result.status) \(result.stdout)")
    }

    /// The launch script as spark-gen wrote it before the hardening: every check must object.
    @Test func theOldLaunchScriptFails() throws {
        let old = """
            docker run -d \\
              --name "$container" \\
              --network host \\
              --ipc host \\
              --gpus all \\
              --ulimit memlock=-1 \\
              --device /dev/infiniband \\
              --cap-add IPC_LOCK \\
              -v "$home/.cache/huggingface:/root/.cache/huggingface" \\
              -v "$stack_dir/vllm-compile-cache:/root/.cache/vllm/torch_compile_cache" \\
              "$image" \\
              bash /opt/spark-gen/entrypoint.sh
            """
        let container = try #require(Self.launched("old.sh", old, entrypoint: "ray start --head"))
        let problems = container.problems.joined(separator: "\n")
        for expected in ["cap-drop ALL", "no-new-privileges", "writable", "HF_HUB_OFFLINE", "host folder", "IPC namespace"] {
            #expect(problems.contains(expected), "missing: \(expected)\n\(problems)")
        }
    }
}
