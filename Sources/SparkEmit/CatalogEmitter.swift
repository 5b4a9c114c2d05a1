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
            artifacts.append(
                Artifact(
                    path: Layout.stackFile(head, Self.swapScript), contents: swap(plan, catalog, head: head, members: members), mode: .executable))
            guard let panel = catalog.panel else { continue }
            artifacts.append(
                Artifact(
                    path: Self.panelFile(panel, Self.catalogFile), contents: try catalogFile(plan, catalog, head: head, members: members)))
            // Without the panel's own URL there is nothing to tell LAN clients: the nodes' ports admit the panel alone.
            guard let url = catalog.panelURL else { continue }
            artifacts.append(Artifact(path: Self.panelFile(panel, Self.discoveryFile), contents: try discovery(plan, catalog, members: members, panelURL: url)))
        }
        // The gates of the ssh keys the runbooks install on the catalogs' nodes.
        let gates = SSHGate.gates(in: plan)
        for gate in gates {
            artifacts.append(Artifact(path: Layout.stackFile(gate.node, gate.script), contents: gate.render(plan), mode: .executable))
        }
        for node in plan.nodes {
            let own = gates.filter { $0.node.name == node.name }
            guard !own.isEmpty else { continue }
            artifacts.append(
                Artifact(
                    path: Layout.stackFile(node, SSHGate.authorizeScript), contents: SSHGate.renderAuthorize(plan, node, own),
                    mode: .executable))
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

    /// A command line for ssh to send as one word, in double quotes when it holds single ones
    /// (docker's templates), which reads better than '\'' and means the same here.
    static func remote(_ command: SSHGate.Command) -> String {
        let line = command.line
        if line.contains(where: { "\"$`\\!".contains($0) }) || Shell.quote(line) == line { return Shell.quote(line) }
        return "\"\(line)\""
    }

    private func swap(_ plan: Plan, _ catalog: CatalogPlan, head: NodePlan, members: [ClusterPlan]) -> String {
        let names = members.map(\.name)
        let url = "http://\(catalog.apiHost):\(catalog.port)/v1/models"
        let header = Header(
            plan, node: head.name,
            about: [
                "Swaps the model of catalog '\(catalog.name)' on \(catalog.apiHost):\(catalog.port): stops the one that runs,",
                "here and on the workers, starts MODEL and waits until its API lists it. When MODEL fails, it",
                "stops it and starts the model that ran before again, and exits 1. One swap at a time: a second",
                "one exits 75 and says who holds the lock. The panel runs it over ssh; by hand:",
                "\(Layout.stackPath(head, Self.swapScript)) MODEL",
            ])
        let ssh = "ssh \(Self.sshOptions)"
        var body = "usage() {\n  echo \"usage: $0 MODEL  (one of: \(names.joined(separator: " ")))\" >&2\n  exit 2\n}\n\n"
        body += "# MODEL's head container and served name; fails for a name outside the catalog.\n"
        body += "select_model() {\n  case \"$1\" in\n"
        for member in members {
            body += "    \(Shell.quote(member.name))) container=\(Shell.quote(member.headContainer)); served=\(Shell.quote(member.servedName)) ;;\n"
        }
        body += "    *) return 1 ;;\n  esac\n}\n\n"
        body += "[ $# -eq 1 ] || usage\n"
        body += "model=$1\n"
        body += "select_model \"$model\" || usage\n"
        body += "stack_dir=\(Shell.quote(head.stackDir))\n"
        body += "url=\(Shell.quote(url))\n"
        body += "timeout=${SWAP_TIMEOUT:-1800}\n"
        body += "lock=$stack_dir/swap.lock\n"
        body += "failure=\n\n"

        // A double click in the panel, or the panel and a shell at once, would stop the model the
        // first swap is loading and start two on one port.
        body += """
            # One swap at a time. flock holds the lock until this script exits; the file says who holds it.
            exec 9>>"$lock"
            if ! flock -n 9; then
              echo "not swapping to $model: another swap holds $lock ($(cat "$lock" 2>/dev/null || true))" >&2
              exit 75
            fi
            who=${SSH_CLIENT:-}
            who=${who%% *}
            printf 'swap to %s, pid %s, from %s, since %s\\n' "$model" "$$" "${who:-a shell on this node}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$lock"

            # Whether the API lists NAME (vLLM answers JSON without spaces). Read whole, then matched:
            # grep -q on a pipe can fail a check that found its line under pipefail.
            listed() {
              local models
              models=$(curl -fsS --max-time 5 "$url" 2>/dev/null) || return 1
              case "$models" in *"\\"id\\":\\"$1\\""*) return 0 ;; esac
              return 1
            }

            # A swap to the model that already answers would cost minutes of loading for nothing.
            if listed "$served"; then
              echo "$model already serves as $served at ${url%/models}"
              exit 0
            fi


            """
        // Workers by model, for the models that have any.
        let clustered: [(member: ClusterPlan, workers: [(node: NodePlan, target: String)])] = members.compactMap { member in
            let workers = member.workers.compactMap { worker -> (node: NodePlan, target: String)? in
                guard let node = plan.node(named: worker.name), let target = Self.workerTarget(node, from: head) else { return nil }
                return (node, target)
            }
            return workers.isEmpty ? nil : (member, workers)
        }
        body += "# The model that serves now, if any: the one whose head container runs. It stops for MODEL\n"
        body += "# and starts again if MODEL fails.\n"
        body += "previous=\n"
        body += "for candidate in \(names.map(Shell.quote).joined(separator: " ")); do\n"
        body += "  select_model \"$candidate\"\n"
        body += "  if [ \"$(docker inspect -f '{{.State.Status}}' \"$container\" 2>/dev/null)\" = running ] && [ \"$candidate\" != \"$model\" ]; then\n"
        body += "    previous=$candidate\n  fi\ndone\nselect_model \"$model\"\n\n"

        if !clustered.isEmpty {
            body += "# Whether every worker of NAME answers ssh: checked before anything stops, so a swap that\n"
            body += "# could not start NAME leaves the model that serves alone.\n"
            body += "workers_answer() {\n  case \"$1\" in\n"
            for (member, workers) in clustered {
                body += "    \(Shell.quote(member.name)))\n"
                for (node, target) in workers {
                    body += "      \(ssh) \(target) true || { echo \"\(node.name) (\(target)) does not answer ssh\" >&2; return 1; }\n"
                }
                body += "      ;;\n"
            }
            body += "  esac\n}\n\n"
            body += "# NAME's containers on its workers. A worker that does not answer (ssh exits 255) is said, not\n"
            body += "# fatal: its container holds that worker's memory only, and a model that needs it checks first.\n"
            body += "stop_workers() {\n  case \"$1\" in\n"
            for (member, workers) in clustered {
                body += "    \(Shell.quote(member.name)))\n"
                for (node, target) in workers {
                    let remote = Self.remote(SSHGate.Command(argv: ["docker", "rm", "-f", member.workerContainer], purpose: ""))
                    body += "      \(ssh) \(target) \(remote) >/dev/null 2>&1 || [ $? -ne 255 ] || "
                    body += "echo \"\(node.name) did not answer: \(member.workerContainer) may still run there\" >&2\n"
                }
                body += "      ;;\n"
            }
            body += "  esac\n}\n\n"
            body += "# Whether NAME's workers still run: without one, the head waits for its GPU until the time-out.\n"
            body += "workers_run() {\n  local state\n  case \"$1\" in\n"
            for (member, workers) in clustered {
                body += "    \(Shell.quote(member.name)))\n"
                for (node, target) in workers {
                    let state = Self.remote(SSHGate.Command(argv: SSHGate.state(member.workerContainer), purpose: ""))
                    let logs = Self.remote(SSHGate.Command(argv: SSHGate.logs(lines: 50, member.workerContainer), purpose: ""))
                    body += "      state=$(\(ssh) \(target) \(state) 2>/dev/null || echo 'gone, or its node does not answer')\n"
                    body += "      if [ \"$state\" != 'running 0' ]; then\n"
                    body += "        echo \"a worker of $1 failed: \(member.workerContainer) on \(node.name) (docker: $state); its last lines:\" >&2\n"
                    body += "        \(ssh) \(target) \(logs) >&2 || true\n"
                    body += "        failure=\"the worker \(member.workerContainer) on \(node.name) failed\"\n"
                    body += "        return 1\n      fi\n"
                }
                body += "      ;;\n"
            }
            body += "  esac\n}\n\n"
        }

        body += "# NAME's workers first, over ssh, then its head.\n"
        body += "start_model() {\n  case \"$1\" in\n"
        let vllm = VLLMEmitter()
        for member in members {
            body += "  \(Shell.quote(member.name)))\n"
            for worker in member.workers {
                guard let node = plan.node(named: worker.name), let target = Self.workerTarget(node, from: head),
                    let role = node.clusterRoles.first(where: { $0.kind == .worker && $0.cluster.name == member.name })
                else { continue }
                let script = Layout.stackPath(node, "scripts/\(vllm.scriptBase(role, in: node)).sh")
                body += "    \(ssh) \(target) \(Shell.quote(script)) || return 1\n"
            }
            if let role = head.clusterRoles.first(where: { $0.kind == .head && $0.cluster.name == member.name }) {
                body += "    \"$stack_dir/scripts/\(vllm.scriptBase(role, in: head)).sh\" || return 1\n"
            }
            body += "    ;;\n"
        }
        body += "  esac\n}\n\n"

        body += """
            # Until the API lists NAME (0), or until a container of it fails or the time-out passes (1,
            # having said why). Docker reports a container in restart back-off as running
            # (State.Running=true: moby container/state.go, SetRestarting), and a crash-looping one
            # as running between its restarts, so Status and RestartCount are what tell: anything but
            # "running" with no restart since the swap started it is a model that failed at start.
            wait_for() {
              local deadline=$((SECONDS + timeout)) state
              select_model "$1"
              until listed "$served"; do
                state=$(docker inspect -f '{{.State.Status}} {{.RestartCount}}' "$container" 2>/dev/null || echo gone)
                if [ "$state" != 'running 0' ]; then
                  echo "$container failed at start (docker: $state); its last lines:" >&2
                  docker logs --tail 50 "$container" >&2 || true
                  failure="$container failed at start (docker: $state)"
                  return 1
                fi
            \(clustered.isEmpty ? "" : "    workers_run \"$1\" || return 1\n")    if [ "$SECONDS" -ge "$deadline" ]; then
                  echo "$1 did not answer within ${timeout}s; follow it with: docker logs -f $container" >&2
                  failure="$1 did not answer within ${timeout}s"
                  return 1
                fi
                sleep 2
              done
            }

            # MODEL failed: stop it, start the model that served before again, exit 1. The previous one
            # cannot keep running meanwhile: the catalog's models share one port and one GPU memory.
            fail() {
              echo "swap to $model failed: $1" >&2
              docker rm -f "$container" >/dev/null 2>&1 || true
            \(clustered.isEmpty ? "" : "  stop_workers \"$model\"\n")  if [ -z "$previous" ]; then
                echo "no model of catalog \(catalog.name) ran before this swap: nothing to restart" >&2
              elif start_model "$previous" && wait_for "$previous"; then
                echo "restarted $previous, which served before the swap: it serves again at ${url%/models}" >&2
              else
                echo "restarting $previous, which served before the swap, failed too: $failure" >&2
              fi
              exit 1
            }


            """
        if !clustered.isEmpty {
            body += "if ! workers_answer \"$model\"; then\n"
            body += "  echo \"swap to $model failed before anything stopped: a worker does not answer; ${previous:-no model} keeps serving\" >&2\n"
            body += "  exit 1\nfi\n\n"
        }
        body += "# The models take turns on one port and one memory: every one of them stops first, and docker rm\n"
        body += "# returns once a container is gone and its memory free. Workers are asked only for the models\n"
        body += "# that use them, so a single-node swap does not need them to answer.\n"
        body += "echo \"stopping the models of catalog \(catalog.name)\"\n"
        body += "docker rm -f \(members.map { Shell.quote($0.headContainer) }.joined(separator: " ")) >/dev/null 2>&1 || true\n"
        if !clustered.isEmpty {
            body += "stop_workers \"$previous\"\nstop_workers \"$model\"\n"
        }
        body += """

            echo "starting $model"
            start_model "$model" || fail "the launch of $model failed"
            wait_for "$model" || fail "$failure"
            echo "$model serves as $served at ${url%/models}"

            """
        return ShellScript(header: header, body: body).text
    }

    /// The speech NIMs on a catalog's nodes (the panel's always-on services), with the address the
    /// panel reaches them on.
    static func speechApps(_ plan: Plan, _ catalog: CatalogPlan) -> [(app: App, node: NodePlan, service: String, address: String, port: Int)] {
        let nodes = Set(plan.nodes(of: catalog).map(\.name))
        return [App.parakeet, .magpie].compactMap { app in
            guard let node = plan.nodes.first(where: { nodes.contains($0.name) && $0.has(app) }),
                let service = node.services.first(where: { $0.role == .app(app.rawValue) && $0.name == app.rawValue })
            else { return nil }
            let address = catalog.panelLink.flatMap { node.interface(on: $0)?.address.description } ?? node.sshHost
            return (app, node, app.rawValue, address, service.port)
        }
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
                ("logs", .string("ssh \(head.sshTarget) \(SSHGate.Command(argv: SSHGate.logs(lines: 200, member.headContainer), purpose: "").line)")),
            ]
            return .mapping(entry)
        }
        let sparks: [YAMLValue] = plan.nodes(of: catalog).map { node in
            let address = catalog.panelLink.flatMap { node.interface(on: $0)?.address.description } ?? node.sshHost
            return .mapping([("name", .string(node.name)), ("host", .string(address)), ("user", .string(node.user))])
        }
        let document: YAMLValue = .mapping(
            [
                ("catalog", .string(catalog.name)),
                ("active", .string(catalog.active)),
                ("base_url", .string("http://\(catalog.apiHost):\(catalog.port)/v1")),
            ] + (catalog.panelURL.map { [("panel_url", YAMLValue.string($0))] } ?? []) + [
                ("sparks", .sequence(sparks)),
                ("models", .sequence(models)),
            ])
        let header = Header(
            plan,
            about: [
                "The model catalog '\(catalog.name)' for the spark-control panel on host \(catalog.panel?.name ?? ""): every model that may",
                "run on port \(catalog.port), the settings it runs with, and the command that makes it the active one.",
                "Changing a setting here changes nothing on the nodes: change the topology and rebuild.",
            ])
        return header.comment() + (try YAMLEmitter.emit(document))
    }

    /// spark-control's discovery document (`GET /api/endpoints`) in the shape document 002 gives,
    /// without `ready`, which only the running panel knows. Its URLs are the panel's: since the
    /// source's newest change the panel forwards chat completions and every audio endpoint, so
    /// LAN clients call one host, and the nodes' ports admit the panel alone (they have no login).
    private func discovery(_ plan: Plan, _ catalog: CatalogPlan, members: [ClusterPlan], panelURL: String) throws -> String {
        var document: [(String, JSONValue)] = []
        if let active = members.first(where: { $0.name == catalog.active }) {
            document.append(
                (
                    "vllm",
                    .object([
                        ("base_url", .string("\(panelURL)/v1")),
                        ("model", .string(active.servedName)),
                        ("openai_compat", .bool(true)),
                    ])
                ))
        }
        for speech in Self.speechApps(plan, catalog) {
            guard let nim = SpeechNIM.of(speech.app) else { continue }
            document.append(
                (
                    speech.service,
                    .object([
                        ("base_url", .string(panelURL)),
                        ("kind", .string(nim.kind)),
                        ("model", .string(nim.model)),
                    ])
                ))
        }
        return try JanssonEncoder.encode(.object(document))
    }
}
