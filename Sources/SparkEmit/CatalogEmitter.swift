import SparkJSON
import SparkPlan
import SparkSpec
import SparkYAML

/// For each catalog: `scripts/swap.sh` on its head, which stops the model that runs and starts
/// another; and, for its spark-control panel, the catalog and the discovery document, made from
/// the same Plan as the launch scripts so the panel and the nodes cannot disagree.
struct CatalogEmitter {
    static let swapScript = "scripts/swap.sh"
    static let panelFolder = "spark-control"
    static let catalogFile = "models.yaml"
    static let discoveryFile = "endpoints.json"

    func artifacts(for plan: Plan) throws -> [Artifact] {
        var artifacts: [Artifact] = []
        for catalog in plan.catalogs {
            guard let head = plan.node(named: catalog.head) else { continue }
            let members = catalog.members.compactMap { plan.cluster(ofModel: $0) }
            artifacts.append(Artifact(
                path: Layout.stackFile(head, Self.swapScript), contents: swap(plan, catalog, head: head, members: members), mode: .executable))
            guard let panel = catalog.panel else { continue }
            artifacts.append(Artifact(
                path: Self.panelFile(panel, Self.catalogFile), contents: try catalogFile(plan, catalog, head: head, members: members)))
            artifacts.append(Artifact(path: Self.panelFile(panel, Self.discoveryFile), contents: try discovery(plan, catalog, members: members)))
        }
        return artifacts
    }

    /// `hosts/<host>/spark-control/<file>`: files for a machine spark-gen does not deploy to.
    static func panelFile(_ host: HostPlan, _ name: String) -> String { "hosts/\(host.name)/\(panelFolder)/\(name)" }

    /// How the head reaches a worker to stop and start its container: ssh over the LAN they
    /// share (the firewall refuses ssh between cluster peers over their direct link).
    static func workerTarget(_ worker: NodePlan, from head: NodePlan) -> String? {
        guard let lan = head.sharedLAN(with: worker), let address = worker.interface(on: lan.link.name)?.address else { return nil }
        return "\(worker.user)@\(address)"
    }

    static let sshOptions = "-o BatchMode=yes -o ConnectTimeout=10"

    private func swap(_ plan: Plan, _ catalog: CatalogPlan, head: NodePlan, members: [ClusterPlan]) -> String {
        let names = members.map(\.name)
        let url = "http://\(catalog.apiHost):\(catalog.port)/v1/models"
        let header = Header(plan, node: head.name, about: [
            "Swaps the model of catalog '\(catalog.name)' on \(catalog.apiHost):\(catalog.port): stops the one that runs,",
            "here and on the workers, starts MODEL and waits until its API lists it. The panel runs it",
            "over ssh; by hand: \(Layout.stackPath(head, Self.swapScript)) MODEL",
        ])
        var body = "usage() {\n  echo \"usage: $0 MODEL  (one of: \(names.joined(separator: " ")))\" >&2\n  exit 2\n}\n"
        body += "[ $# -eq 1 ] || usage\n"
        body += "model=$1\n"
        body += "stack_dir=\(Shell.quote(head.stackDir))\n"
        body += "url=\(Shell.quote(url))\n"
        body += "timeout=${SWAP_TIMEOUT:-1800}\n\n"
        body += "case \"$model\" in\n"
        for member in members {
            let served = member.servedName
            body += "  \(Shell.quote(member.name))) container=\(Shell.quote(member.headContainer)); served=\(Shell.quote(served)) ;;\n"
        }
        body += "  *) usage ;;\nesac\n\n"

        // A swap to the model that already answers would cost minutes of loading for nothing.
        body += "if curl -fsS --max-time 5 \"$url\" 2>/dev/null | grep -qF \"\\\"id\\\":\\\"$served\\\"\"; then\n"
        body += "  echo \"$model already serves as $served at ${url%/models}\"\n  exit 0\nfi\n\n"
        body += "# The models take turns on one port and one memory: every one of them stops first, here and on\n"
        body += "# the workers, and docker rm returns once a container is gone and its memory free.\n"
        body += "echo \"stopping the models of catalog \(catalog.name)\"\n"
        body += "docker rm -f \(members.map { Shell.quote($0.headContainer) }.joined(separator: " ")) >/dev/null 2>&1 || true\n"
        var workerContainers: [(worker: NodePlan, containers: [String])] = []
        for member in members {
            for worker in member.workers {
                guard let node = plan.node(named: worker.name) else { continue }
                if let index = workerContainers.firstIndex(where: { $0.worker.name == node.name }) {
                    if !workerContainers[index].containers.contains(member.workerContainer) {
                        workerContainers[index].containers.append(member.workerContainer)
                    }
                } else {
                    workerContainers.append((node, [member.workerContainer]))
                }
            }
        }
        for (worker, containers) in workerContainers {
            guard let target = Self.workerTarget(worker, from: head) else { continue }
            let remote = "docker rm -f \(containers.joined(separator: " ")) >/dev/null 2>&1 || true"
            body += "ssh \(Self.sshOptions) \(target) \(Shell.quote(remote))\n"
        }
        body += "\necho \"starting $model\"\n"
        body += "case \"$model\" in\n"
        let vllm = VLLMEmitter()
        for member in members {
            body += "  \(Shell.quote(member.name)))\n"
            for worker in member.workers {
                guard let node = plan.node(named: worker.name), let target = Self.workerTarget(node, from: head),
                    let role = node.clusterRoles.first(where: { $0.kind == .worker && $0.cluster.name == member.name })
                else { continue }
                let script = Layout.stackPath(node, "scripts/\(vllm.scriptBase(role, in: node)).sh")
                body += "    ssh \(Self.sshOptions) \(target) \(Shell.quote(script))\n"
            }
            if let role = head.clusterRoles.first(where: { $0.kind == .head && $0.cluster.name == member.name }) {
                body += "    \"$stack_dir/scripts/\(vllm.scriptBase(role, in: head)).sh\"\n"
            }
            body += "    ;;\n"
        }
        body += "esac\n\n"
        // A worker that dies leaves the head waiting for its GPU until the timeout: check them too.
        let clustered = members.filter { !$0.workers.isEmpty }
        if !clustered.isEmpty {
            body += "# Whether the workers of $model still run: without one, the head waits for its GPU until the timeout.\n"
            body += "workers_running() {\n  case \"$model\" in\n"
            for member in clustered {
                body += "    \(Shell.quote(member.name)))\n"
                for worker in member.workers {
                    guard let node = plan.node(named: worker.name), let target = Self.workerTarget(node, from: head) else { continue }
                    let remote = "docker inspect -f '{{.State.Running}}' \(member.workerContainer)"
                    body += "      [ \"$(ssh \(Self.sshOptions) \(target) \"\(remote)\" 2>/dev/null)\" = true ] || return 1\n"
                }
                body += "      ;;\n"
            }
            body += "  esac\n}\n\n"
        }
        body += """
            # Loading takes minutes, and a first start on a node compiles kernels for longer: wait until
            # the API lists the model (vLLM answers JSON without spaces), or the container stops.
            deadline=$((SECONDS + timeout))
            until curl -fsS --max-time 5 "$url" 2>/dev/null | grep -qF "\\"id\\":\\"$served\\""; do
              if [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" != true ]; then
                echo "$container is not running; its last lines:" >&2
                docker logs --tail 50 "$container" >&2 || true
                exit 1
              fi
            \(clustered.isEmpty ? "" : """
              if ! workers_running; then
                echo "a worker of $model is not running; on the worker: docker logs $container-worker" >&2
                exit 1
              fi

            """)  if [ "$SECONDS" -ge "$deadline" ]; then
                echo "$model did not answer within ${timeout}s; follow it with: docker logs -f $container" >&2
                exit 1
              fi
              sleep 5
            done
            echo "$model serves as $served at ${url%/models}"

            """
        return ShellScript(header: header, body: body).text
    }

    /// The catalog as the panel shows it: each model with the settings its Advanced panel offers
    /// (max context, GPU memory, fastsafetensors, prefix caching, FP8 KV cache), solo or cluster,
    /// and the one command that makes it active.
    private func catalogFile(_ plan: Plan, _ catalog: CatalogPlan, head: NodePlan, members: [ClusterPlan]) throws -> String {
        let swap = Layout.stackPath(head, Self.swapScript)
        let models: [YAMLValue] = members.map { member in
            let vllm = member.vllm
            var entry: [(String, YAMLValue)] = [
                ("id", .string(member.name)),
                ("hf_repo", .string(member.source)),
                ("served_name", .string(member.servedName)),
                ("mode", .string(member.isMultiNode ? "cluster" : "solo")),
                ("nodes", .sequence(member.members.map { .string($0.name) })),
            ]
            if let length = vllm.maxModelLen { entry.append(("max_context", .int(length))) }
            entry += [
                ("gpu_memory_utilization", .double(vllm.gpuMemoryUtilization)),
                ("fastsafetensors", .bool(vllm.loadFormat == "fastsafetensors")),
                ("prefix_caching", .bool(vllm.enablePrefixCaching)),
                ("fp8_kv_cache", .bool(vllm.kvCacheDtype?.hasPrefix("fp8") == true)),
                ("activate", .string("ssh \(head.sshTarget) \(swap) \(member.name)")),
            ]
            return .mapping(entry)
        }
        let sparks: [YAMLValue] = plan.nodes(of: catalog).map { node in
                let address = catalog.panelLink.flatMap { node.interface(on: $0)?.address.description } ?? node.sshHost
                return .mapping([("name", .string(node.name)), ("host", .string(address)), ("user", .string(node.user))])
            }
        let document: YAMLValue = .mapping([
            ("catalog", .string(catalog.name)),
            ("active", .string(catalog.active)),
            ("base_url", .string("http://\(catalog.apiHost):\(catalog.port)/v1")),
            ("sparks", .sequence(sparks)),
            ("models", .sequence(models)),
        ])
        let header = Header(plan, about: [
            "The model catalog '\(catalog.name)' for the spark-control panel on host \(catalog.panel?.name ?? ""): every model that may",
            "run on port \(catalog.port), the settings it runs with, and the command that makes it the active one.",
            "Changing a setting here changes nothing on the nodes: change the topology and rebuild.",
        ])
        return header.comment() + (try YAMLEmitter.emit(document))
    }

    /// spark-control's discovery document (`GET /api/endpoints`) in the shape document 002 gives,
    /// without `ready`, which only the running panel knows.
    private func discovery(_ plan: Plan, _ catalog: CatalogPlan, members: [ClusterPlan]) throws -> String {
        var document: [(String, JSONValue)] = []
        if let active = members.first(where: { $0.name == catalog.active }) {
            document.append(("vllm", .object([
                ("base_url", .string("http://\(catalog.apiHost):\(catalog.port)/v1")),
                ("model", .string(active.servedName)),
                ("openai_compat", .bool(true)),
            ])))
        }
        let nodes = Set(members.flatMap { $0.members.map(\.name) })
        for app in [App.parakeet, .magpie] {
            guard let node = plan.nodes.first(where: { nodes.contains($0.name) && $0.has(app) }),
                let service = node.services.first(where: { $0.role == .app(app.rawValue) && $0.name == app.rawValue }),
                let nim = SpeechNIM.of(app)
            else { continue }
            let address = catalog.panelLink.flatMap { node.interface(on: $0)?.address.description } ?? node.sshHost
            document.append((app.rawValue, .object([
                ("base_url", .string("http://\(address):\(service.port)")),
                ("kind", .string(nim.kind)),
                ("model", .string(nim.model)),
            ])))
        }
        return try JanssonEncoder.encode(.object(document))
    }
}
