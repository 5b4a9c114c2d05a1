import SparkJSON
import SparkPlan
import SparkSpec

/// The vLLM image recipe and the launch scripts of every model cluster.
///
/// Each launch is a host script that (re)creates the container and an entrypoint script that
/// runs inside it. Keeping the in-container steps in their own file avoids the nested quoting
/// of `bash -lc '…'`, so both files pass shellcheck and every value appears quoted once.
struct VLLMEmitter {
    static let entrypointInContainer = "/opt/spark-gen/entrypoint.sh"

    func artifacts(for plan: Plan) throws -> [Artifact] {
        var artifacts: [Artifact] = []
        for node in plan.nodes where node.clusterRoles.contains(where: \.cluster.isScripted) {
            artifacts += dockerfiles(plan, node)
            for role in node.clusterRoles where role.cluster.isScripted {
                let base = scriptBase(role, in: node)
                artifacts.append(
                    Artifact(
                        path: Layout.stackFile(node, "scripts/\(base).sh"), contents: launcher(plan, node, role, base: base), mode: .executable
                    )
                    .marked { $0.whole([role.cluster.path]) })
                artifacts.append(
                    Artifact(
                        path: Layout.stackFile(node, "scripts/\(base)-entrypoint.sh"), contents: try entrypoint(plan, node, role),
                        mode: .executable
                    ).marked { $0.whole([role.cluster.path]) })
            }
        }
        return artifacts
    }

    /// `vllm-head` / `vllm-worker`, suffixed with the model when a node has several roles.
    func scriptBase(_ role: ClusterRole, in node: NodePlan) -> String {
        let base = "vllm-\(role.kind.rawValue)"
        return node.clusterRoles.filter(\.cluster.isScripted).count > 1 ? "\(base)-\(role.cluster.name)" : base
    }

    /// One image recipe per image the node's multi-node clusters run; a single-node model runs its
    /// upstream image as it is, with no Ray. Clusters that name one image with two recipes are a
    /// finding (CL013), so the first never silently wins.
    private func dockerfiles(_ plan: Plan, _ node: NodePlan) -> [Artifact] {
        var written = Set<String>()
        return node.clusterRoles.map(\.cluster).filter(\.isScripted).compactMap { cluster in
            guard let name = cluster.dockerfileName, let ray = cluster.rayVersion, written.insert(name).inserted else { return nil }
            let header = Header(
                plan, node: node.name,
                about: [
                    "NVIDIA's vLLM image ships without Ray, which vLLM needs for any multi-node run. Every member",
                    "installs the same Ray (members of different versions refuse to form a cluster); the minimal",
                    "install has no dashboard or job API. Build: docker build -f \(name) -t \(cluster.image) .",
                ])
            let lines = ["FROM \(cluster.runtime.baseImage)", "RUN pip install --no-cache-dir \(Shell.quote("ray==\(ray)"))"]
            return Artifact(path: Layout.stackFile(node, name), contents: header.comment() + lines.joined(separator: "\n") + "\n")
                .marked { $0.whole([cluster.imagePath]) }
        }
    }

    private func launcher(_ plan: Plan, _ node: NodePlan, _ role: ClusterRole, base: String) -> String {
        let cluster = role.cluster
        let isHead = role.kind == .head
        let order: String
        if isHead {
            let workers = cluster.workers.map(\.name).joined(separator: ", ")
            order = cluster.isMultiNode ? "Start the workers first (\(workers)), then run this script." : "Run this script to start the model."
        } else {
            order = "Run this script before the head's (\(cluster.head.name)); it retries until the head is up."
        }
        let header = Header(
            plan, node: node.name,
            about: [
                "\(isHead ? "vLLM head" : "Ray worker") for model \(cluster.name) on \(node.name). \(order)"
            ])
        let container = isHead ? cluster.headContainer : cluster.workerContainer
        var options = [
            "--name \"$container\"",
            "--network host",
            // A Ray member runs code its peers schedule: it gets an IPC namespace and /dev/shm of
            // its own, sized for Ray's object store, instead of the host's, where the node's other
            // root containers keep theirs (vLLM's docs: `--ipc=host` or `--shm-size`, either
            // serves). A model on one node runs only its owner's code and keeps the host's.
            cluster.isMultiNode ? "--shm-size \(VLLMContainer.rayShmSize)" : "--ipc host",
            "--gpus all",
            "--ulimit memlock=-1",
            "--ulimit stack=67108864",
            "--restart unless-stopped",
            // Every capability dropped but what RDMA needs; see VLLMContainer for each, with sources.
            "--cap-drop ALL",
        ]
        options += VLLMContainer.capabilities(rdma: cluster.isMultiNode, port: role.kind == .head ? cluster.port : 1024).map { "--cap-add \($0)" }
        options.append("--security-opt no-new-privileges")
        options += VLLMContainer.environment.map { "-e \($0.name)=\(Shell.quote($0.value))" }
        let port = cluster.link.flatMap { node.interface(on: $0.name) }
        if let port {
            // Without VLLM_HOST_IP vLLM resolves the host name to the mgmt address while Ray
            // registered the link address, and the placement group targets a node Ray never saw.
            options.append("-e VLLM_HOST_IP=\(Shell.quote(port.address.description))")
            if let device = port.device {
                options.append("-e NCCL_SOCKET_IFNAME=\(Shell.quote(device))")
                options.append("-e GLOO_SOCKET_IFNAME=\(Shell.quote(device))")
            }
        }
        if cluster.isMultiNode {
            // NCCL reaches the DAC's RDMA device only through these; without them it falls back to
            // TCP sockets and the 200 Gb/s link carries a fraction of that. (The HCA names pair
            // with the interfaces as `ibdev2netdev` shows in NVIDIA/dgx-spark-playbooks,
            // connect-two-sparks: rocep1s0f0 for enp1s0f0np0; a Spark port's two halves are two
            // devices, and NCCL gets both, comma-separated, for the link's full width.)
            // IPC_LOCK (above) lets NCCL pin the memory it registers with the device.
            options.append("--device /dev/infiniband")
            if let hcas = port?.hcas, !hcas.isEmpty { options.append("-e NCCL_IB_HCA=\(Shell.quote(hcas.joined(separator: ",")))") }
        }
        if isHead && cluster.isMultiNode {
            options.append("-e RAY_ADDRESS=\(Shell.quote(cluster.rayAddress))")
        }
        if cluster.isMultiNode, let token = cluster.runtime.rayToken {
            // Ray 2.52+ refuses cluster connections without the shared token.
            options.append("-e RAY_AUTH_MODE=token")
            options.append("--env-file \(Shell.quote(node.absolute(token.file)))")
        }
        if role.kind == .head, cluster.listen == .tailnet, let key = cluster.apiKey {
            // vLLM's API server reads VLLM_API_KEY from its environment: the key is on no command line.
            options.append("--env-file \(Shell.quote(node.absolute(key.file)))")
        }
        options += [
            // The weights, read-only: `hf download` fills the hub cache before the start, as the user.
            "-v \"$home/.cache/huggingface/hub:\(VLLMContainer.hubCacheInContainer):ro\"",
            // This container's own compile cache, a volume owned by the container's root.
            "-v \(Shell.quote(VLLMContainer.compileCacheVolume(cluster.name))):\(VLLMContainer.compileCacheInContainer)",
            "-v \"$stack_dir/scripts/\(base)-entrypoint.sh:\(Self.entrypointInContainer):ro\"",
            "\"$image\"",
            "bash \(Self.entrypointInContainer)",
        ]
        var script = "container=\(Shell.quote(container))\n"
        script += "image=\(Shell.quote(cluster.image))\n"
        script += "home=\(Shell.quote(node.home))\n"
        script += "stack_dir=\(Shell.quote(node.stackDir))\n\n"
        script += "# Create the hub cache as this user (hf download fills it); Docker would create it owned by root.\n"
        script += "mkdir -p \"$home/.cache/huggingface/hub\"\n"
        script += "docker rm -f \"$container\" >/dev/null 2>&1 || true\n"
        script += Shell.continued("docker run -d", options)
        script += "echo \"started $container; follow it with: docker logs -f $container\"\n"
        return ShellScript(header: header, body: script).text
    }

    private func entrypoint(_ plan: Plan, _ node: NodePlan, _ role: ClusterRole) throws -> String {
        let cluster = role.cluster
        let model = cluster
        let gpus = node.hardware.gpus
        let header = Header(plan, node: node.name, about: ["Runs inside the \(role.kind.rawValue) container of model \(model.name)."])
        var script = ""
        // Only multi-node clusters, which always have a link, start Ray.
        let dacIP = cluster.link.flatMap { node.interface(on: $0.name)?.address.description } ?? PlanResolver.loopback
        if role.kind == .worker {
            script += "# The head may not be up yet: retrying until it is is the expected path.\n"
            script += "until ray start \\\n"
            script += "  --address=\(Shell.quote(cluster.rayAddress)) \\\n"
            script += "  --node-ip-address=\(Shell.quote(dacIP)) \\\n"
            script += cluster.rayPortFlags.map { "  \($0) \\\n" }.joined()
            script += "  --num-gpus=\(gpus) \\\n"
            script += "  --block; do\n"
            script += "  echo \"[worker] Ray head \(cluster.rayAddress) not reachable yet, retrying in 3s\" >&2\n"
            script += "  sleep 3\n"
            script += "done\n"
            return ShellScript(header: header, body: script).text
        }
        let totalGPUs = model.tensorParallel * model.pipelineParallel
        if cluster.isMultiNode {
            script += """
                # Ray registers the DAC address; GCS still listens on every address (every Ray release
                # does), so ufw and the tailnet policy keep it in. No dashboard: its job API runs code.
                ray start --head \\
                  --node-ip-address=\(Shell.quote(dacIP)) \\
                  --port=\(model.rayPort) \\
                \(cluster.rayPortFlags.map { "  \($0) \\\n" }.joined())  --include-dashboard=false \\
                  --num-gpus=\(gpus) \\
                  --block &
                ray_pid=$!

                # One Python for the whole wait: `import ray` and joining as a driver cost about a
                # CPU-second, paid once instead of every 2 s. The calls are the ones of a Python per
                # question before: ray.init and ray.cluster_resources(), every alive node's resources
                # added up (ray-project/ray@ray-2.54.1: python/ray/_private/worker.py `init`,
                # python/ray/_private/state.py `cluster_resources`). Until the head's GCS answers,
                # ray.init raises ConnectionError and is tried again. A thread ends the wait (exit 1)
                # once the head's Ray is gone: a call to a GCS that is gone may wait for it to return.
                gpus_joined() {
                  python3 - "$ray_pid" \(totalGPUs) 2>/dev/null <<'EOF'
                import os, sys, threading, time

                ray_pid, wanted = int(sys.argv[1]), int(sys.argv[2])


                def watch():
                    while True:
                        try:
                            os.kill(ray_pid, 0)
                        except ProcessLookupError:
                            os._exit(1)
                        time.sleep(2)


                threading.Thread(target=watch, daemon=True).start()
                import ray

                while True:
                    try:
                        if not ray.is_initialized():
                            ray.init(address="auto", logging_level="ERROR")
                        if int(ray.cluster_resources().get("GPU", 0)) >= wanted:
                            break
                    except Exception:
                        ray.shutdown()
                    time.sleep(2)
                EOF
                }

                # vLLM must not start before every worker's GPU has joined: its placement group
                # would otherwise hang with only the head's GPU visible.
                echo "[head] waiting for \(totalGPUs) GPUs to join the Ray cluster"
                until gpus_joined; do
                  kill -0 "$ray_pid" 2>/dev/null || { echo "[head] ray exited" >&2; exit 1; }
                  sleep 2
                done
                echo "[head] all GPUs joined, starting vllm serve"

                """
        }
        script += Shell.continued("exec vllm serve \(Shell.quote(model.source))", serveArguments(cluster))
        return ShellScript(header: header, body: script).text
    }

    /// The `vllm serve` options, one per line, in a fixed order.
    func serveArguments(_ cluster: ClusterPlan) -> [String] {
        cluster.vllmServeArguments.map { $0.map(Shell.quote).joined(separator: " ") }
    }
}
