import SparkPlan
import SparkSpec

/// `scripts/verify.sh` for each node: the validation checklist, run on the node after deployment.
///
/// It checks what the node itself can observe: every listener is bound where the plan says
/// (never a wildcard), the gateway answers with the owner's key and refuses without it (GatewayChecks),
/// each app passes the checks its kind gives (the gateway's database and cache right after it), secret
/// files are private, names resolve to mgmt addresses, and its peers' ports over each link they
/// share: the ports the peer's firewall admits this node to answer, every other is closed
/// (`Reachability.admits`, the model the ufw scripts are written from).
/// Tailnet-side checks run from a tailnet device and are listed in RUNBOOK.md.
struct VerifyEmitter {
    /// One node's verify.sh: a build writes each as it is made (a fleet's are 30 MB together).
    func artifact(for plan: Plan, node: NodePlan) -> Artifact {
        Artifact(path: Layout.stackFile(node, "scripts/verify.sh"), contents: script(plan, node), mode: .executable)
    }

    private static let prelude = #"""
        failures=0
        pass() { printf 'ok    %s\n' "$1"; }
        fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }
        # expect DESCRIPTION COMMAND...: the command must succeed.
        expect() { local what=$1; shift; if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi; }
        # refuse DESCRIPTION COMMAND...: the command must fail (a negative test).
        refuse() { local what=$1; shift; if "$@" >/dev/null 2>&1; then fail "$what"; else pass "$what"; fi; }
        # tcp_open HOST PORT: a TCP connection succeeds within 3 seconds.
        # shellcheck disable=SC2016 # $1 and $2 expand in the inner shell, on purpose
        tcp_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2"; }
        # listens_only_on PORT ADDRESS: something listens on PORT, and only on ADDRESS.
        listens_only_on() {
          local found
          found=$(ss -Hltn "sport = :$1" | awk '{print $4}' | sort -u)
          [ -n "$found" ] && [ "$found" = "$2:$1" ]
        }
        # listens_on PORT: something listens on PORT, on any address.
        listens_on() { [ -n "$(ss -Hltn "sport = :$1")" ]; }
        # not_on_wildcard PORT: nothing listens on PORT on a wildcard address.
        not_on_wildcard() { ! ss -Hltn "sport = :$1" | awk '{print $4}' | grep -qE '^(0\.0\.0\.0|\*|\[::\]):'; }
        private_file_defines() {
          local file=$1 variable
          shift
          [ -f "$file" ] && [ "$(stat -c %a "$file")" = 600 ] || return 1
          for variable in "$@"; do grep -q "^$variable=." "$file" || return 1; done
        }
        resolves_to() { [ "$(getent ahostsv4 "$1" | awk 'NR == 1 {print $1}')" = "$2" ]; }
        ufw_active() { ufw status | grep -q '^Status: active'; }
        mtu_is() { ip -o link show "$1" | grep -q " mtu $2 "; }
        # has_address DEVICE ADDRESS, owns_address ADDRESS: the device, or some interface, has the
        # address. A here-string, not a pipe: grep -q stops at the match, and under pipefail the ip
        # it stopped reading, killed by SIGPIPE, would fail a check that found the address.
        has_address() { local found; found=$(ip -4 -o addr show dev "$1") || return 1; grep -q " inet $2/" <<<"$found"; }
        owns_address() { local found; found=$(ip -4 -o addr show) || return 1; grep -q " inet $1/" <<<"$found"; }
        # http_status URL [HEADER_FILE]: prints the HTTP status code.
        http_status() {
          if [ -n "${2:-}" ]; then
            curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H @"$2" "$1"
          else
            curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1"
          fi
        }
        # lists_model URL NAME [HEADER_FILE]: the OpenAI-style model list at URL names NAME.
        lists_model() {
          local header=()
          if [ -n "${3:-}" ]; then header=(-H @"$3"); fi
          curl -fsS --max-time 5 "${header[@]}" "$1/models" | grep -q "\"$2\""
        }
        ray_gpus_are() { docker exec "$1" ray status | grep -q "/$2.0 GPU"; }

        """#

    private func script(_ plan: Plan, _ node: NodePlan) -> String {
        let header = Header(
            plan, node: node.name,
            about: [
                "Validation checklist of \(node.name). Run as root after deployment: sudo \(Layout.stackPath(node, "scripts/verify.sh"))",
                "Prints one line per check and exits 1 if any failed. Secrets are read here, on the node, and never printed.",
            ])
        var script = Self.prelude
        script += section("Listeners bind where the plan says, never on a wildcard address")
        if node.services.contains(where: \.manualStart) {
            script += "# A model started by hand may be stopped; when it runs, it listens where the plan says.\n"
            script += "listens_only_on_if_up() { ! listens_on \"$1\" || listens_only_on \"$1\" \"$2\"; }\n"
        }
        for service in node.services {
            if service.manualStart {
                // A catalog's Ray runs while a multi-node model of it is the one swapped in.
                var when = "started by hand"
                if case .rayGCS = service.role { when = "while a multi-node model of the catalog runs" }
                script += "expect \(Shell.quote("\(service.name) (\(when)), if running, listens on \(service.bindAddress):\(service.port) only")) "
                script += "listens_only_on_if_up \(service.port) \(service.bindAddress)\n"
            } else if service.bindsEveryAddress {
                script += "expect \(Shell.quote("\(service.name) listens on port \(service.port) (every address: ufw and the tailnet policy keep it in)")) "
                script += "listens_on \(service.port)\n"
            } else {
                script += "expect \(Shell.quote("\(service.name) listens on \(service.bindAddress):\(service.port) only")) "
                script += "listens_only_on \(service.port) \(service.bindAddress)\n"
            }
        }
        if !node.secretFiles.isEmpty {
            let groups = Set(node.secretFiles.compactMap(\.group)).sorted()
            if groups.isEmpty {
                script += section("Secret files exist, are private (0600) and define their variables")
            } else {
                script += section(
                    "Secret files exist, are private (0600, or 0640 root:\(groups.joined(separator: ", ")) for compose) and define their variables")
                // A file that compose loads belongs to root and the group that may run compose.
                script += """
                    group_file_defines() {
                      local file=$1 owner=$2 variable
                      shift 2
                      [ -f "$file" ] && [ "$(stat -c '%a %U:%G' "$file")" = "640 $owner" ] || return 1
                      for variable in "$@"; do grep -q "^$variable=." "$file" || return 1; done
                    }

                    """
            }
            for file in node.secretFiles {
                script +=
                    "expect \(Shell.quote("\(file.path) is \(file.mode)\(file.group.map { " root:\($0)" } ?? "") and defines \(file.variables.joined(separator: ", "))")) "
                if let group = file.group {
                    script += "group_file_defines \(Shell.quote(file.path)) root:\(group) \(file.variables.joined(separator: " "))\n"
                } else {
                    script += "private_file_defines \(Shell.quote(file.path)) \(file.variables.joined(separator: " "))\n"
                }
            }
        }
        if let lan = node.lan, !node.hostsEntries.isEmpty {
            let others =
                node.clusterInterfaces.isEmpty ? "" : ", not the \(node.clusterInterfaces.count == 1 ? node.clusterInterfaces[0].link.label : "cluster links")"
            script += section("Names resolve to \(lan.link.label) addresses\(others)")
            for entry in node.hostsEntries {
                script += "expect \(Shell.quote("\(entry.name) resolves to \(entry.ip)")) resolves_to \(entry.name) \(entry.ip)\n"
            }
        }
        let cluster = node.clusterInterfaces
        script += section(cluster.isEmpty ? "Firewall" : cluster.count == 1 ? "Firewall and \(cluster[0].link.label) link" : "Firewall and links")
        script += "expect 'ufw is active' ufw_active\n"
        for interface in node.interfaces {
            guard let device = interface.device else { continue }
            // The addresses the runbook's cluster-link step gives (a LAN's are the operator's).
            if interface.carriesClusterTraffic {
                script += "expect \(Shell.quote("\(device) has \(interface.address)")) has_address \(Shell.quote(device)) \(interface.address)\n"
            }
            if let mtu = interface.link.mtu {
                script += "expect \(Shell.quote("\(device) has MTU \(mtu)")) mtu_is \(Shell.quote(device)) \(mtu)\n"
            }
            // RoCE needs an address on each half for its GIDs (connect-two-sparks gives each its own).
            if let second = interface.second {
                script += "expect \(Shell.quote("\(second.device) has \(second.address)")) has_address \(Shell.quote(second.device)) \(second.address)\n"
                if let mtu = interface.link.mtu {
                    script += "expect \(Shell.quote("\(second.device) has MTU \(mtu)")) mtu_is \(Shell.quote(second.device)) \(mtu)\n"
                }
            }
        }
        script += GatewayChecks(plan: plan, node: node)?.section ?? ""
        script += BackendChecks.section(plan, node)
        // The apps that serve the gateway come right after it, as they start: a database before a cache.
        let serving = node.operations.filter { $0.servesGateway != nil }.sorted { $0.servesGateway! < $1.servesGateway! }
        for operations in serving + node.operations.filter({ $0.servesGateway == nil }) where !operations.checks.isEmpty {
            script += section(operations.checkSection)
            for check in operations.checks {
                switch check {
                case .function(let definition): script += definition + "\n"
                case .comment(let text): script += "# \(text)\n"
                case .expect(let what, let command): script += "expect \(Shell.quote(what)) \(command)\n"
                }
            }
        }
        let heads = node.clusterRoles.filter { $0.kind == .head && $0.cluster.catalog == nil }.map(\.cluster)
        if heads.contains(where: { !$0.isScripted && $0.start == .auto && $0.gpuCheck != nil }) {
            script += "\n# docker_log_has CONTAINER PATTERN: the container's log has a line matching the extended regular expression.\n"
            // A here-string, not a pipe: grep -q stops early, and under pipefail the writer killed by
            // SIGPIPE would fail a check that found its line.
            script += "docker_log_has() { local log; log=$(docker logs \"$1\" 2>&1) || return 1; grep -Eq \"$2\" <<<\"$log\"; }\n"
        }
        if heads.contains(where: GPUPinCheck.applies) { script += "\n" + GPUPinCheck.functions }
        if heads.contains(where: { $0.isScripted || $0.start == .auto }) { script += ContainerState.function }
        if heads.contains(where: { $0.runtime.kind == .vllm && ($0.isScripted || $0.start == .auto) }) { script += ContainerConfinement.function }
        for cluster in heads {
            script += headChecks(cluster)
        }
        for catalog in plan.catalogs where catalog.head == node.name {
            script += catalogChecks(plan, catalog)
        }
        if node.clusterRoles.contains(where: \.cluster.isMultiNode) {
            script += rdmaChecks(node)
        }
        script += negativeChecks(plan, node)
        script += "\necho\nif [ \"$failures\" -gt 0 ]; then\n  echo \"$failures check(s) failed\"\n  exit 1\nfi\necho 'all checks passed'\n"
        return ShellScript(header: header, strictness: .keepGoing, rootExitStatus: 2, body: script).text
    }

    private func section(_ title: String) -> String { Self.section(title) }
    /// The line that opens a section of verify.sh.
    static func section(_ title: String) -> String { "\necho '== \(title)'\n" }

    /// The header file for a key, for curl's `-H @file`.
    private func header(from file: String, variable: String, to path: String) -> String { Self.header(from: file, variable: variable, to: path) }
    static func header(from file: String, variable: String, to path: String) -> String {
        "# shellcheck source=/dev/null\n" + Shell.bearerHeader(from: file, variable: variable, to: "\"\(path)\"") + "\n"
    }

    /// NCCL uses a link's RDMA device only when the host has one and the containers get it.
    private func rdmaChecks(_ node: NodePlan) -> String {
        var text = section("RDMA for NCCL over \(node.clusterInterfaces.count == 1 ? node.clusterInterfaces[0].link.phrase : "the cluster links")")
        text += "expect '/dev/infiniband exists (the containers get it with --device)' test -d /dev/infiniband\n"
        for interface in node.clusterInterfaces {
            // Every device NCCL is given must be up: one down and NCCL runs on the other alone,
            // at half a DGX Spark port's width (NVIDIA/dgx-spark-playbooks, nccl).
            for hca in interface.hcas {
                text +=
                    "expect \(Shell.quote("RDMA device \(hca) is up (port 1 ACTIVE)")) grep -q ACTIVE \(Shell.quote("/sys/class/infiniband/\(hca)/ports/1/state"))\n"
            }
        }
        return text
    }

    private func headChecks(_ cluster: ClusterPlan) -> String {
        guard cluster.isScripted else { return serviceChecks(cluster) }
        var text = section("Model \(cluster.name) (vLLM head)")
        text += ContainerState.check(cluster.headContainer)
        text += ContainerConfinement.check(cluster.headContainer)
        text += "expect \(Shell.quote("vLLM serves \(cluster.servedName) on \(cluster.apiHost):\(cluster.port)")) "
        text += "lists_model \(cluster.apiBase) \(Shell.quote(cluster.servedName))\n"
        if cluster.isMultiNode {
            let gpus = cluster.tensorParallel * cluster.pipelineParallel
            text += "expect \(Shell.quote("Ray cluster has \(gpus) GPUs")) "
            text += "ray_gpus_are \(Shell.quote(cluster.headContainer)) \(gpus)\n"
            text += "refuse 'nothing listens on \(ClusterPlan.dashboardPort) (no Ray dashboard or job API)' listens_on \(ClusterPlan.dashboardPort)\n"
            for (port, what) in [(ClusterPlan.rayClientPort, "the Ray client server"), (ClusterPlan.dashboardAgentPort, "the Ray dashboard agent")] {
                text += "expect \(Shell.quote("\(what) (\(port)), if running, is on no wildcard address")) not_on_wildcard \(port)\n"
            }
        }
        return text
    }

    /// A catalog runs one of its models at a time, whichever the panel swapped in last: the port
    /// must list one of them; Ray runs only for a multi-node one, and never with a dashboard.
    private func catalogChecks(_ plan: Plan, _ catalog: CatalogPlan) -> String {
        let members = catalog.members.compactMap { plan.cluster(ofModel: $0) }
        var text = section("Catalog \(catalog.name) (one model at a time)")
        text += "# serves_one_of URL NAME...: the model list at URL names one of the NAMEs.\n"
        text += "serves_one_of() {\n  local url=$1 listed name\n  shift\n"
        text += "  listed=$(curl -fsS --max-time 5 \"$url/models\") || return 1\n"
        text += "  for name in \"$@\"; do grep -qF \"\\\"id\\\":\\\"$name\\\"\" <<<\"$listed\" && return 0; done\n  return 1\n}\n"
        let names = members.map { Shell.quote($0.servedName) }.joined(separator: " ")
        text += "expect \(Shell.quote("one model of catalog \(catalog.name) serves on \(catalog.apiHost):\(catalog.port)")) "
        text += "serves_one_of http://\(catalog.apiHost):\(catalog.port)/v1 \(names)\n"
        if members.contains(where: \.isMultiNode) {
            text += "refuse 'nothing listens on \(ClusterPlan.dashboardPort) (no Ray dashboard or job API)' listens_on \(ClusterPlan.dashboardPort)\n"
            for (port, what) in [(ClusterPlan.rayClientPort, "the Ray client server"), (ClusterPlan.dashboardAgentPort, "the Ray dashboard agent")] {
                text += "expect \(Shell.quote("\(what) (\(port)), if running, is on no wildcard address")) not_on_wildcard \(port)\n"
            }
        }
        return text
    }

    /// A model a compose service serves: it answers with the model's name where the gateway calls it;
    /// one started by hand may be stopped, but when it runs it is on no wildcard address.
    private func serviceChecks(_ cluster: ClusterPlan) -> String {
        let model = cluster
        let runtime = model.runtime.kind.title
        // One started by hand may be stopped: the listener check above covers it when it runs.
        guard model.start == .auto else { return "" }
        var text = section("Model \(model.name) (\(runtime), compose service \(cluster.serviceName ?? ""))")
        let listed = cluster.listedName
        let base = "http://\(cluster.apiHost):\(model.port)/v1"
        if let service = cluster.serviceName {
            text += ContainerState.check(service)
            if cluster.runtime.kind == .vllm { text += ContainerConfinement.check(service) }
        }
        if cluster.isKeyed, let key = model.apiKey {
            // The key goes through a 0600 temporary file, never the process list.
            text += "model_headers=$(mktemp -d)\n"
            text += header(from: key.file.absolute(home: cluster.head.home), variable: key.variable, to: "$model_headers/key")
            text += "expect \(Shell.quote("\(runtime) refuses a request without its key (401)")) test \"$(http_status \(base)/models)\" = 401\n"
            text += "expect \(Shell.quote("\(runtime) serves \(listed) on \(cluster.apiHost):\(model.port) with its key")) "
            text += "lists_model \(base) \(Shell.quote(listed)) \"$model_headers/key\"\n"
            text += "rm -rf \"$model_headers\"\n"
        } else {
            text += "expect \(Shell.quote("\(runtime) serves \(listed) on \(cluster.apiHost):\(model.port)")) lists_model \(base) \(Shell.quote(listed))\n"
        }
        text += "expect \(Shell.quote("\(model.name) is on no wildcard address")) not_on_wildcard \(model.port)\n"
        if let check = cluster.gpuCheck {
            // docker_log_has is defined once, before the first model that checks its log.
            text += "expect \(Shell.quote(check.what)) \(check.command)\n"
        }
        if let pin = GPUPinCheck.expectation(cluster) { text += "expect \(Shell.quote(pin.what)) \(pin.command)\n" }
        return text
    }

    /// What other nodes expose to this one: over a LAN nothing, over a cluster link only the plan's flows.
    /// The nodes this node probes: its link peers, and its neighbours in file order (wrapping),
    /// so that every node is probed by two others and each script grows with the node's cluster
    /// and callers, not with the fleet.
    func probedNodes(_ plan: Plan, _ node: NodePlan) -> [NodePlan] {
        guard let position = plan.position(of: node.name) else { return [] }
        var positions = Set(node.linkPeers.compactMap { plan.position(of: $0.node) })
        let count = plan.nodes.count
        positions.formUnion([(position + count - 1) % count, (position + 1) % count])
        positions.remove(position)
        return positions.sorted().map { plan.nodes[$0] }
    }

    /// Probes go over the links both nodes are on; a node that shares no link with this one is not probed.
    /// Whether a port must answer or be closed is the reachability model's answer for this node
    /// at the peer's firewall (`Reachability.admits`, from the rules the peer's firewall.sh
    /// writes): a port this node is an admitted caller of answers, every other is closed.
    private func negativeChecks(_ plan: Plan, _ node: NodePlan) -> String {
        var text = ""
        var guarded = Set<String>()
        for other in probedNodes(plan, node) where !other.services.isEmpty {
            let shared = other.interfaces.filter { node.interface(on: $0.link.name) != nil && ($0.link.kind == .lan || $0.carriesClusterTraffic) }
            guard !shared.isEmpty else { continue }
            let firewall = FirewallPlanner.rules(for: other, in: plan)
            text += section("Reachability of \(other.name) from here")
            for link in shared {
                text += reachabilityChecks(node, other, link, firewall: firewall, guarded: &guarded)
            }
        }
        return text
    }

    /// The probes of one peer over one link: what answers first, then what is closed. A refusal
    /// passes whenever the connection fails, so it is paired with what tells a closed port from
    /// a host or link that is not there: this node's own address on the link (checked once per
    /// link), and a port of the peer that must answer from here (an admitted port, or else its
    /// ssh, which a LAN admits). With neither admitted, a comment says the refusals cannot tell.
    private func reachabilityChecks(
        _ node: NodePlan, _ other: NodePlan, _ link: NodeInterface, firewall: [FirewallRuleSpec], guarded: inout Set<String>
    ) -> String {
        let name = link.link.name
        let phrase = link.link.kind == .lan ? "on \(link.link.phrase)" : "over \(link.link.phrase)"
        let admitted = { (service: Service) in Reachability.admits(service, on: other, from: node, link: name, firewall: firewall) }
        var answers: [String] = []
        var refusals: [String] = []
        // ssh over a cluster link: the firewall denies it to a peer ahead of everything it admits.
        if link.carriesClusterTraffic, node.linkPeers.contains(LinkPeer(node: other.name, link: name)) {
            let ssh = "\(other.name) ssh (22)"
            if admitted(.ssh) {
                answers.append("expect \(Shell.quote("\(ssh) answers \(phrase)")) tcp_open \(link.address) 22\n")
            } else {
                refusals.append("refuse \(Shell.quote("\(ssh) is closed \(phrase)")) tcp_open \(link.address) 22\n")
            }
        }
        for service in other.services {
            let what = "\(other.name) \(service.name) (\(service.port))"
            if admitted(service) {
                answers.append("expect \(Shell.quote("\(what) answers \(phrase)")) tcp_open \(link.address) \(service.port)\n")
            } else {
                refusals.append("refuse \(Shell.quote("\(what) is closed \(phrase)")) tcp_open \(link.address) \(service.port)\n")
            }
        }
        var text = ""
        if !refusals.isEmpty, let own = node.interface(on: name), guarded.insert(name).inserted {
            let what = "this node has \(own.address) \(phrase) (without it every refusal there would pass)"
            if let device = own.device {
                text += "expect \(Shell.quote(what)) has_address \(Shell.quote(device)) \(own.address)\n"
            } else {
                text += "expect \(Shell.quote(what)) owns_address \(own.address)\n"
            }
        }
        text += answers.joined()
        if !refusals.isEmpty && answers.isEmpty {
            if admitted(.ssh) {
                text += "# The host answers here, so the refusals below are its firewall's, not a host that is down.\n"
                text += "expect \(Shell.quote("\(other.name) ssh (22) answers \(phrase)")) tcp_open \(link.address) 22\n"
            } else {
                text += "# Nothing of \(other.name) answers this node \(phrase), so a refusal below cannot tell a closed port from\n"
                text += "# a host that is down; the address check above makes a missing link fail.\n"
            }
        }
        return text + refusals.joined()
    }
}
