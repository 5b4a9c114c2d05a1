import SparkPlan
import SparkSpec

/// The runbook's last section: where the generated stack differs from one set up by hand, and
/// why, for the kind of node it is (a catalog's, a compose box's, or a Spark that may replace a
/// hand-made split-trust stack), naming only what the node runs.
extension RunbookEmitter {
    /// What a catalog's node gets differently from spark-control's own setup
    /// (spark-vllm-docker's launch-cluster.sh, NIMs published on the LAN).
    func catalogDifferences(_ node: NodePlan, _ catalogs: [CatalogPlan]) -> [String] {
        var items: [String] = []
        for catalog in catalogs where catalog.head == node.name {
            let reach = catalog.panel.map { "the panel on \($0.name) alone" } ?? "this node alone"
            items.append(
                "vLLM binds \(catalog.apiHost):\(catalog.port) and the firewall admits \(reach), instead of `--host 0.0.0.0`: the port has "
                    + "no login, and tailscaled accepts everything arriving on `tailscale0` ahead of ufw, so a wildcard listener would be "
                    + "open to the tailnet and the whole LAN.")
            items.append(
                "Each model runs in a container of its own (`vllm-<model>`), started by `scripts/swap.sh`, which first stops every "
                    + "model of the catalog here and on the workers, instead of one `\(Self.sparkVLLMDockerContainer)` container and `launch-cluster.sh`.")
        }
        if node.clusterRoles.contains(where: { $0.cluster.catalog != nil && $0.cluster.isMultiNode }) {
            items.append(
                "Ray runs without its dashboard and job API, with token authentication, instead of launch-cluster.sh's "
                    + "`--include-dashboard=True --dashboard-host 0.0.0.0`: the job API runs any code it is sent. Ray's GCS and raylet "
                    + "still listen on every address (every Ray release does), so ufw admits only the cluster peer, on the DAC.")
        }
        // The apps' own, each once: two NIMs of a kind share theirs.
        for item in node.operations.flatMap(\.catalogDifferences) where !items.contains(item) { items.append(item) }
        items += [
            "ssh comes from the LAN; the panel's key, and the head's on its workers, work from their holder's address alone and run "
                + "only the lines of a gate script (`restrict,from=,command=` in authorized_keys), instead of a plain `authorized_keys` line: "
                + "a key of a docker-group user is root, and could forward ports to the node's loopback and DAC.",
            "The tailnet policy uses `grants`, declares every tag in `tagOwners`, and has a `tests` block so a policy that "
                + "exposes a model port is rejected when saved.",
            "ufw is reset to the generated rules: ssh, the panel's ports and the cluster peer on the DAC, nothing else.",
        ]
        return items
    }

    /// The hardware of the nodes the hand-made split-trust setup ran on, whose migration step applies.
    static let guideHardware = "dgx-spark"

    /// What a node set up from scratch with compose gets differently from a hand-written compose
    /// stack (a gateway with its backends on one box).
    func composeDifferences(_ plan: Plan, _ node: NodePlan) -> [String] {
        // Each runtime's upstream default once, in the order the node's models first use it.
        var defaults: [String] = []
        for role in node.clusterRoles where role.kind == .head && !defaults.contains(role.cluster.upstreamBind) {
            defaults.append(role.cluster.upstreamBind)
        }
        let gateway = GatewayDifferences(plan: plan, node: node)
        if let bind = gateway?.upstreamBind { defaults.append(bind) }
        let keyed = node.clusterRoles.filter { $0.kind == .head && $0.cluster.isKeyed }.map(\.cluster)
        // A model its callers reach on a link (a LAN, say) binds that link's address, not loopback.
        let linked = node.clusterRoles.filter { $0.kind == .head && !$0.cluster.isKeyed && $0.cluster.link != nil }.map(\.cluster)
        let front = gateway?.tailnetFront ?? ""
        let wildcard = gateway?.bindsEveryAddress == true
        var items = [
            (keyed.isEmpty && linked.isEmpty && !wildcard ? "Every service binds 127.0.0.1" : "Every other service binds 127.0.0.1")
                + " and uses the host network instead of publishing ports" + (defaults.isEmpty ? "" : " (\(defaults.joined(separator: "; ")))")
                + ": Docker DNATs published ports before ufw's INPUT chain, and tailscaled accepts everything arriving on "
                + "`tailscale0` ahead of ufw." + front
        ]
        if let bind = gateway?.everyAddressBind { items.append(bind) }
        for cluster in linked {
            let link = cluster.link.map { " on \($0.phrase)" } ?? ""
            items.append(
                "Model \(cluster.name) binds \(cluster.apiHost)\(link), the address its callers use, and the firewall admits its port "
                    + "from \(cluster.callers.joined(separator: ", ")) alone: the port has no key, so no other machine of the network "
                    + "may reach it.")
        }
        for cluster in keyed {
            items.append(
                "Model \(cluster.name) binds the node's tailnet address, \(cluster.apiHost), and asks for a key (vLLM reads VLLM_API_KEY "
                    + "from an env file, never a command line): the tailnet policy grants its port to \(node.tailnet.tag) alone, so the "
                    + "nodes whose \(GatewayDifferences.name) calls it reach it and the tailnet's users do not. It starts once tailscale0 has that address: "
                    + "until then compose restarts it.")
        }
        guard let gateway else {
            return
                (items + [
                    "The tailnet policy uses `grants`, declares every tag in `tagOwners`, and has a `tests` block so a policy "
                        + "that exposes a model port is rejected when saved.",
                    linked.isEmpty
                        ? "ufw is reset to the generated rules: nothing but ssh is admitted from outside the tailnet."
                        : "ufw is reset to the generated rules: nothing but ssh and the models' ports, from their callers, is admitted "
                            + "from outside the tailnet.",
                ])
        }
        items += gateway.fromCompose
        if node.clusterRoles.filter({ $0.cluster.serviceName != nil }).count > 1 {
            items.append(
                "No shared bridge network: every service is on the host network and they talk over 127.0.0.1, so no port is "
                    + "published past ufw. Each model has its own compile cache.")
        }
        if let file = node.secretFiles.first(where: { $0.group != nil }) {
            items.append(
                "The keys come from `\(file.path)` (mode \(file.mode), root:\(file.group ?? "")), which the runbook fills with random values; "
                    + "the config names only the variables (`os.environ/…`).")
        }
        items += [
            "The tailnet policy uses `grants`, declares every tag in `tagOwners`, and has a `tests` block so a policy "
                + "that exposes a model port is rejected when saved.",
            gateway.firewall,
        ]
        return items
    }

    /// What a node that may replace a hand-made split-trust stack gets differently, naming only
    /// what this node runs: a reader of one node's runbook meets no Ray on a node without a
    /// cluster, no PostgreSQL without a database, no vLLM on a node that serves no model.
    func differences(_ plan: Plan, _ node: NodePlan) -> [String] {
        var items: [String] = []
        if node.clusterRoles.contains(where: { $0.kind == .head }) {
            items.append(
                "vLLM binds the address of the link its callers use when another node calls it, and loopback otherwise, "
                    + "instead of `0.0.0.0`: tailscaled accepts everything arriving on `tailscale0` ahead of ufw, so a wildcard "
                    + "listener would be reachable from the tailnet whatever ufw says. A node reaches a model's port only when "
                    + "its owner's \(GatewayDifferences.name) routes to that model.")
        }
        if node.workloads.contains(where: { $0.runner == .compose }) {
            items.append(
                "Apps use the host network and bind 127.0.0.1 instead of publishing ports: Docker DNATs published ports before "
                    + "ufw's INPUT chain, so `-p 8080:8080` opens the app to the LAN. The tailnet reaches them through "
                    + "`tailscale serve`, which the tailnet policy governs. No Docker Engine version is assumed.")
        }
        items += GatewayDifferences(plan: plan, node: node)?.fromGuide ?? []
        let keyed = node.secretFiles.contains { $0.virtualKeyFor != nil }
        // What the apps hold instead of the gateway's master key: virtual keys, their own logins.
        let credentials = (keyed ? ["Apps get virtual keys of their own"] : []) + node.operations.compactMap(\.ownCredential)
        if !credentials.isEmpty { items.append(GatewayDifferences.masterKeyStays(credentials)) }
        items += [
            "The tailnet policy uses `grants`, declares every tag in `tagOwners`, and has a `tests` block so a policy "
                + "that exposes a model port is rejected when saved.",
            node.clusterInterfaces.isEmpty
                ? "ufw is reset to the generated rules: this node is on no cluster link, so nothing but ssh and the apps' "
                    + "tailnet ports is admitted."
                : "ufw is reset to the generated rules and admits the cluster peer on the cluster link's interface only; app "
                    + "ports and ssh are denied from the peer explicitly, and ssh is allowed from the LAN only.",
            "The tailnet policy keeps members' devices open to members and the kept tags only, never to `*`, which would "
                + "include the cluster nodes' own tag.",
        ]
        if node.clusterRoles.contains(where: { $0.cluster.isMultiNode }) {
            items.append(
                "Both ends of the cluster admit all traffic from the peer's cluster-link address: NCCL and Ray's workers open "
                    + "ephemeral ports in both directions, which head rules admitting only 8000 and 6379 would block.")
            items.append(
                "vLLM waits until Ray reports every GPU of the cluster, instead of a fixed sleep and a count of 'GPU' lines.")
            items.append(
                "Every member installs the same pinned Ray without its dashboard and job API, which run code. Ray's GCS and "
                    + "raylet still listen on every address (every Ray release does), so ufw and the tailnet policy keep them in.")
            items.append(
                "The containers get the cluster link's RDMA device (`--device /dev/infiniband`, `IPC_LOCK`, `NCCL_IB_HCA`); "
                    + "without it NCCL silently falls back to TCP sockets.")
            items.append(
                "The containers drop every capability but `IPC_LOCK`, set `no-new-privileges`, mount the Hugging Face hub cache "
                    + "read-only (`HF_HUB_OFFLINE=1`; the weights are downloaded beforehand) and keep their compile cache in a Docker "
                    + "volume of their own, with their own /dev/shm instead of the host's: a cluster peer's code runs in them.")
        }
        return items
    }
}
