import SparkDiagnostics
import SparkPlan
import SparkSpec

/// `RUNBOOK.md` for each node and the `README.md` index of the whole output tree:
/// which commands to run where, in which order, and where the compiler departs from the guide.
struct RunbookEmitter {
    /// The runbooks and the index; `others` are the node files already emitted, whose modes the
    /// copy step restores.
    func artifacts(for plan: Plan, others: [Artifact]) -> [Artifact] {
        var artifacts = plan.nodes.map { node in
            let prefix = "nodes/\(node.name)"
            let privateFiles = others.filter { $0.mode == .privateFile && $0.path.hasPrefix(prefix + "/") }
                .map { String($0.path.dropFirst(prefix.count)) }
            return Artifact(path: Layout.stackFile(node, "RUNBOOK.md"), contents: runbook(plan, node, privateFiles: privateFiles))
        }
        artifacts.append(Artifact(path: "README.md", contents: index(plan)))
        return artifacts
    }

    private func comment(_ plan: Plan, node: String? = nil) -> String {
        "<!--\n" + Header(plan, node: node).lines.joined(separator: "\n") + "\n-->\n"
    }

    /// The order in which nodes are brought up: workers before heads, so a head never starts vLLM alone.
    func bringUpOrder(_ plan: Plan) -> [NodePlan] {
        let workers = plan.nodes.filter { node in node.clusterRoles.contains { $0.kind == .worker } && !node.clusterRoles.contains { $0.kind == .head } }
        return workers + plan.nodes.filter { node in !workers.contains { $0.name == node.name } }
    }

    private func index(_ plan: Plan) -> String {
        var text = comment(plan)
        text += "# \(plan.topology.stack.name)\n\n"
        text += "Everything under `nodes/<node>/` goes to the same absolute path on that node; "
        text += "`tailnets/<tailnet>/policy.hujson` is that tailnet's policy file.\n\n"
        text += "| node | owner | tailnet | mgmt | DAC | role | apps |\n|---|---|---|---|---|---|---|\n"
        for node in plan.nodes {
            let roles = node.clusterRoles.map { "\($0.kind.rawValue) of \($0.cluster.model.name)" }.joined(separator: ", ")
            let apps = node.node.apps.map(\.rawValue).joined(separator: ", ")
            text += "| \(node.name) | \(node.owner.name) | \(node.tailnet.name) | \(node.node.mgmtIP) | \(node.node.dacIP) | \(roles.isEmpty ? "—" : roles) | \(apps.isEmpty ? "—" : apps) |\n"
        }
        text += "\n## Order\n\n"
        for (number, node) in bringUpOrder(plan).enumerated() {
            text += "\(number + 1). \(node.name): follow `nodes/\(node.name)\(Layout.stackPath(node, "RUNBOOK.md"))`.\n"
        }
        text += "\nAfter every node is up, run each node's `scripts/verify.sh`, then the tailnet checks in its runbook.\n"
        return text
    }

    private func runbook(_ plan: Plan, _ node: NodePlan, privateFiles: [String]) -> String {
        let user = node.node.user
        let host = node.node.mgmtIP
        var text = comment(plan, node: node.name)
        text += "# \(node.name): runbook\n\n"
        text += "Owner **\(node.owner.name)**, tailnet **\(node.tailnet.name)** (tag `\(node.tailnet.tag)`), "
        text += "mgmt \(node.node.mgmtIP), DAC \(node.node.dacIP) on `\(node.dacInterface)`.\n"
        var step = 0
        func heading(_ title: String) -> String {
            step += 1
            return "\n## \(step). \(title)\n\n"
        }

        text += heading("Copy the generated files")
        text += "From the machine that ran `spark-gen build`, in the output directory:\n\n```sh\n"
        text += "rsync -a nodes/\(node.name)\(node.stackDir)/ \(user)@\(host):\(node.stackDir)/\n"
        // git keeps only the executable bit, so a tree copied from a checkout loses 0600.
        let stackPrivate = privateFiles.filter { $0.hasPrefix(node.stackDir + "/") }
        if !stackPrivate.isEmpty {
            text += "ssh \(user)@\(host) chmod 600 \(stackPrivate.joined(separator: " "))\n"
        }
        if node.litellm != nil {
            let systemPrivate = privateFiles.filter { $0.hasPrefix("/etc/") }
            let chmod = systemPrivate.isEmpty ? "" : " && sudo chmod 600 \(systemPrivate.joined(separator: " "))"
            text += "rsync -a nodes/\(node.name)/etc/systemd/system/ \(user)@\(host):/tmp/spark-gen-systemd/\n"
            text += "ssh -t \(user)@\(host) 'sudo cp -r /tmp/spark-gen-systemd/. /etc/systemd/system/\(chmod) && sudo systemctl daemon-reload'\n"
        }
        text += "```\n"

        text += heading("Host names on mgmt addresses")
        text += "Replaces an earlier spark-gen block, keeps the rest of `/etc/hosts`:\n\n```sh\n"
        let marker = "spark-gen \(plan.topology.stack.name)"
        text += "sudo sed -i '/^# BEGIN \(marker)$/,/^# END \(marker)$/d' /etc/hosts\n"
        text += "sudo tee -a /etc/hosts < \(Layout.stackPath(node, HostsEmitter.fileName)) >/dev/null\n"
        text += "sudo usermod -aG docker \(user)   # then log in again\n```\n"

        if !node.secretFiles.isEmpty {
            text += heading("Secrets (once, on this node)")
            text += "spark-gen never sees a secret. Create each file here, readable only by \(user); "
            text += "an existing file is kept (rotate keys deliberately):\n\n```sh\n"
            for file in node.secretFiles {
                text += secretRecipe(file, node: node) + "\n"
            }
            text += "```\n\n"
            text += "Give downstream apps (Open WebUI, n8n, Hermes) their own virtual keys from the LiteLLM UI, never the master key.\n"
        }

        // The firewall goes up before anything listens on the DAC address.
        text += heading("Firewall")
        text += "```sh\nsudo \(Layout.stackPath(node, "scripts/firewall.sh"))\n```\n\n"
        text += "ssh from the mgmt LAN stays allowed, so running this over ssh is safe.\n"

        for role in node.clusterRoles {
            let cluster = role.cluster
            let base = VLLMEmitter().scriptBase(role, in: node)
            text += heading("Model \(cluster.model.name): \(role.kind == .head ? "vLLM head" : "Ray worker")")
            text += "```sh\ncd \(node.stackDir)\n"
            text += "docker build -f \(VLLMEmitter.dockerfileName) -t \(cluster.model.runtime.image) .\n"
            text += "hf download \(cluster.model.source)   # as \(user), not root\n"
            text += "scripts/\(base).sh\n```\n\n"
            if role.kind == .worker {
                text += "Start this before the head on \(cluster.head.name): the worker retries until the head's Ray is up.\n"
            } else if cluster.isMultiNode {
                text += "Start this after the workers (\(cluster.workers.map(\.name).joined(separator: ", "))). "
                text += "vLLM waits until all \(cluster.model.cluster.tensorParallel * cluster.model.cluster.pipelineParallel) GPUs have joined Ray. "
                text += "The first launch compiles kernels for 10–20 minutes with no log output; the cache in `vllm-compile-cache/` makes later starts fast.\n"
            }
        }

        if let litellm = node.litellm {
            text += heading("LiteLLM proxy")
            text += "```sh\npip3 install 'litellm[proxy]' prisma --break-system-packages\n"
            if litellm.database != nil {
                text += "docker compose -f \(Layout.stackPath(node, ComposeEmitter.fileName)) up -d litellm-db\n"
                if let file = node.secretFiles.first(where: { $0.variables.contains("DATABASE_URL") }) {
                    text += "( set -a; . \(file.path); prisma db push --schema \(node.home)/.local/lib/python\(node.node.python)/site-packages/litellm/proxy/schema.prisma )\n"
                }
            }
            text += "sudo systemctl enable --now litellm\n```\n\n"
            text += "LiteLLM listens on \(litellm.bindAddress):\(litellm.port) and reaches every model at the head's DAC address "
            text += "(\(litellm.routes.map(\.apiBase).joined(separator: ", "))): vLLM does not listen on localhost.\n"
        }

        let composeApps = node.node.apps.filter { ComposeEmitter.images[$0] != nil && $0 != .litellmDB }
        if !composeApps.isEmpty {
            text += heading("Apps")
            text += "```sh\ndocker compose -f \(Layout.stackPath(node, ComposeEmitter.fileName)) up -d\n```\n"
        }
        if node.has(.hermes) {
            text += "\nHermes Agent is installed by its own installer (`hermes setup`, then `hermes gateway install --system`); "
            text += "point it at http://127.0.0.1:\(App.litellm.port!)/v1 with a virtual key.\n"
        }

        text += heading("Tailnet")
        text += "Apply `tailnets/\(node.tailnet.name)/policy.hujson` to tailnet \(node.tailnet.name) first, then:\n\n"
        text += "```sh\nsudo \(Layout.stackPath(node, "scripts/tailscale-up.sh"))\n```\n"

        text += heading("Verify")
        text += "```sh\nsudo \(Layout.stackPath(node, "scripts/verify.sh"))\n```\n\n"
        text += "From a device on tailnet \(node.tailnet.name) (run `tailscale status` to find the address):\n\n"
        for service in node.services where service.isTailnetFacing {
            text += "- `nc -zv \(node.node.tailnetHostname) \(service.port)` succeeds (\(service.name))\n"
        }
        for service in node.services where !service.isTailnetFacing {
            text += "- `nc -zv -w 3 \(node.node.tailnetHostname) \(service.port)` fails (\(service.name))\n"
        }
        let others = plan.tailnets.filter { $0.tailnet.name != node.tailnet.name }
        for other in others {
            text += "- from tailnet \(other.tailnet.name), \(node.name) is not visible at all\n"
        }

        text += heading("Where this stack differs from the hand-written guide, and why")
        text += differences(plan, node)
        return text
    }

    /// A shell snippet that creates one secret file with fresh random values, unless it exists.
    private func secretRecipe(_ file: SecretFile, node: NodePlan) -> String {
        // A Ray token is one secret shared by the cluster: the head makes it, workers copy it.
        if file.readers == ["ray"], let head = node.clusterRoles.first(where: { $0.kind == .worker })?.cluster.head {
            return "[ -e \(file.path) ] || ( umask 077\n  scp \(head.user)@\(head.mgmtIP):\(file.path.replacingAll(node.home, with: head.home)) \(file.path) )"
        }
        var lines: [String] = []
        var needsPassword = false
        for variable in file.variables {
            switch variable {
            case "DATABASE_URL":
                needsPassword = true
                if let database = node.litellm?.database {
                    lines.append("printf 'DATABASE_URL=%s\\n' \"\(database.url(passwordVariable: "pw"))\"")
                }
            case node.owner.masterKey.variable where node.litellm != nil:
                lines.append("printf '\(variable)=sk-%s\\n' \"$(openssl rand -hex 24)\"")
            case "RAY_AUTH_TOKEN":
                lines.append("printf 'RAY_AUTH_TOKEN=%s\\n' \"$(openssl rand -hex 32)\"")
            default:
                needsPassword = true
                lines.append("printf '\(variable)=%s\\n' \"$pw\"")
            }
        }
        var recipe = "[ -e \(file.path) ] || ( umask 077\n"
        if needsPassword { recipe += "  pw=$(openssl rand -hex 24)\n" }
        recipe += "  { " + lines.joined(separator: "\n    ") + "; } > \(file.path) )"
        return recipe
    }

    private func differences(_ plan: Plan, _ node: NodePlan) -> String {
        var items = [
            "vLLM and Ray bind the DAC address (the Ray dashboard binds loopback) instead of `0.0.0.0`: tailscaled accepts "
                + "everything arriving on `tailscale0` ahead of ufw, so a wildcard listener would be reachable from the tailnet "
                + "whatever ufw says. Every LiteLLM, the head's own included, therefore calls the head's DAC address.",
            "Apps use the host network and bind 127.0.0.1 instead of publishing ports: Docker DNATs published ports before "
                + "ufw's INPUT chain, so `-p 8080:8080` opens the app to the mgmt LAN. The tailnet reaches them through "
                + "`tailscale serve`, which the tailnet policy governs. No Docker Engine version is assumed.",
            "LiteLLM binds 127.0.0.1 instead of `0.0.0.0`, so the mgmt LAN cannot reach it even if ufw is off.",
            "The master key and database URL come from the environment (`os.environ/…` under `general_settings`, the only place "
                + "LiteLLM reads them); the key file is loaded with `EnvironmentFile=` and is never in the config.",
            "PostgreSQL has a random password from a secret file instead of `litellm`, and listens on 127.0.0.1 only.",
            "The tailnet policy uses `grants`, declares every tag in `tagOwners`, and has a `tests` block so a policy "
                + "that exposes the model port is rejected when saved.",
            "ufw is reset to the generated rules and admits the DAC peer on the DAC interface only; app ports are denied "
                + "from the peer explicitly, and ssh is allowed from the mgmt LAN only.",
        ]
        if node.clusterRoles.contains(where: { $0.cluster.isMultiNode }) {
            items.append(
                "Both ends of the cluster admit all traffic from the peer's DAC address: NCCL and Ray's workers open ephemeral "
                    + "ports in both directions, which the guide's head rules (8000 and 6379 only) would block.")
            items.append(
                "vLLM waits until Ray reports every GPU of the cluster, instead of a fixed sleep and a count of 'GPU' lines.")
        }
        return items.map { "- \($0)\n" }.joined()
    }
}
