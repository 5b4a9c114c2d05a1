import SparkPlan
import SparkSpec

/// `scripts/verify.sh` for each node: the validation checklist, run on the node after deployment.
///
/// It checks what the node itself can observe: every listener is bound where the plan says
/// (never a wildcard), LiteLLM answers with the owner's key and refuses without it, secret
/// files are private, names resolve to mgmt addresses, and the negative tests: no port of
/// another node answers over the mgmt LAN, and over the DAC only what the plan allows.
/// Tailnet-side checks run from a tailnet device and are listed in RUNBOOK.md.
struct VerifyEmitter {
    func artifacts(for plan: Plan) -> [Artifact] {
        plan.nodes.map { node in
            Artifact(path: Layout.stackFile(node, "scripts/verify.sh"), contents: script(plan, node), mode: .executable)
        }
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
        has_address() { ip -4 -o addr show dev "$1" | grep -q " inet $2/"; }
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
            guard let mtu = interface.link.mtu, let device = interface.device else { continue }
            script += "expect \(Shell.quote("\(device) has MTU \(mtu)")) mtu_is \(Shell.quote(device)) \(mtu)\n"
        }
        if let litellm = node.litellm, let keyFile = node.secretFile(defining: litellm.masterKey.variable) {
            script += litellmChecks(plan, node, litellm, keyFile: keyFile.path)
        }
        script += BackendChecks.section(plan, node)
        if let database = node.litellm?.database {
            script += databaseChecks(database)
        }
        if let cache = node.litellm?.cache {
            script += section("Redis")
            // RESP over bash's /dev/tcp: a client without the password gets NOAUTH.
            script +=
                "redis_refuses() { exec 3<>\"/dev/tcp/$1/$2\" || return 1; printf 'PING\\r\\n' >&3; IFS= read -r -t 3 reply <&3; exec 3<&-; [[ $reply == -NOAUTH* ]]; }\n"
            script += "expect 'redis refuses a client without the password (NOAUTH)' redis_refuses \(cache.host) \(cache.port)\n"
        }
        for operations in node.operations where !operations.checks.isEmpty {
            script += section(operations.checkSection)
            for check in operations.checks {
                switch check {
                case .function(let definition): script += definition + "\n"
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

    private func section(_ title: String) -> String { "\necho '== \(title)'\n" }

    private func litellmChecks(_ plan: Plan, _ node: NodePlan, _ litellm: LiteLLMPlan, keyFile: String) -> String {
        let base = "http://\(litellm.bindAddress):\(litellm.port)"
        var text = section("LiteLLM of owner \(node.owner.name)")
        text += "headers=$(mktemp -d)\n"
        text += "trap 'rm -rf \"$headers\"' EXIT\n"
        text += "# Keys go through 0600 temporary files so they never show in the process list.\n"
        text += "key_header=\"$headers/master\"\n"
        text += header(from: keyFile, variable: litellm.masterKey.variable, to: "$key_header")
        text += "expect 'litellm is alive' curl -fsS --max-time 5 \(base)/health/liveliness\n"
        text += "expect 'litellm refuses a request without a key (401)' test \"$(http_status \(base)/v1/models)\" = 401\n"
        text += "expect 'litellm answers with the owner key' test \"$(http_status \(base)/v1/models \"$key_header\")\" = 200\n"
        text += completions(CompletionCheck(plan: plan, node: node, litellm: litellm))
        for file in node.secretFiles {
            guard let app = file.virtualKeyFor, let variable = file.variables.first else { continue }
            text += header(from: file.path, variable: variable, to: "$headers/\(app)")
            text += "expect \(Shell.quote("the virtual key of \(app) is accepted (200)")) "
            text += "test \"$(http_status \(base)/v1/models \"$headers/\(app)\")\" = 200\n"
        }
        return text
    }

    /// One real completion per routed model: a listed model may have no backend behind it.
    private func completions(_ check: CompletionCheck) -> String {
        var text = CompletionCheck.function
        for request in check.requests(header: "\"$key_header\"") {
            let what = "\(request.model) answers a one-token completion \(check.via)"
            text += "if why=$(\(request.command)); then pass \(Shell.quote(what)); "
            if let stopped = request.stopped {
                // Stopped on purpose: the line shows what its clients get meanwhile.
                text += "else pass \(Shell.quote("\(request.model) is stopped (\(stopped)); LiteLLM answers its clients: "))\"$why\"; fi\n"
            } else {
                text += "else fail \(Shell.quote("\(what): "))\"$why\"; fi\n"
            }
        }
        return text
    }

    /// The header file for a key, for curl's `-H @file`.
    private func header(from file: String, variable: String, to path: String) -> String {
        "# shellcheck source=/dev/null\n" + Shell.bearerHeader(from: file, variable: variable, to: "\"\(path)\"") + "\n"
    }

    /// The database refuses whoever has no password, over TCP and over its socket; the positive
    /// check shows a refusal is about the password, not a database that is down.
    private func databaseChecks(_ database: LiteLLMPlan.Database) -> String {
        let target = "-p \(database.port) -U \(LiteLLMPlan.Database.user) -d \(LiteLLMPlan.Database.name)"
        var text = section("LiteLLM database: a password is required, on 127.0.0.1 and on the socket")
        text += "# shellcheck disable=SC2016 # expands in the container's shell, where the env file defined it\n"
        text += "expect 'litellm-db accepts its password' docker exec \(App.litellmDB.containerName) "
        text += "sh -c 'PGPASSWORD=\"$POSTGRES_PASSWORD\" psql -w -h \(database.host) \(target) -tAc \"select 1\"'\n"
        // Refused for the right reason: a missing container or a server still starting fails too,
        // and would pass a check that only wants a failure.
        text += "# pg_wants_password COMMAND...: psql fails because the server asked for a password it was not given.\n"
        text += "pg_wants_password() { local out; if out=$(\"$@\" 2>&1); then return 1; fi; grep -q 'no password supplied' <<<\"$out\"; }\n"
        text += "expect 'litellm-db refuses a connection without a password (\(database.host))' pg_wants_password "
        text += "docker exec \(App.litellmDB.containerName) env -u PGPASSWORD psql -w -h \(database.host) \(target) -tAc 'select 1'\n"
        text += "expect 'litellm-db refuses a connection without a password (socket)' pg_wants_password "
        text += "docker exec \(App.litellmDB.containerName) env -u PGPASSWORD psql -w \(target) -tAc 'select 1'\n"
        return text
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
            // RoCE needs an address on each half for its GIDs (connect-two-sparks gives each its own).
            if let second = interface.second {
                text += "expect \(Shell.quote("\(second.device) has \(second.address)")) has_address \(Shell.quote(second.device)) \(second.address)\n"
                if let mtu = interface.link.mtu {
                    text += "expect \(Shell.quote("\(second.device) has MTU \(mtu)")) mtu_is \(Shell.quote(second.device)) \(mtu)\n"
                }
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

    /// A model a compose service serves: it answers with the model's name where LiteLLM calls it;
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
    private func negativeChecks(_ plan: Plan, _ node: NodePlan) -> String {
        var text = ""
        for other in probedNodes(plan, node) where !other.services.isEmpty {
            let shared = other.interfaces.filter { node.interface(on: $0.link.name) != nil }
            guard !shared.isEmpty else { continue }
            let lans = shared.filter { $0.link.kind == .lan }
            let links = shared.filter(\.carriesClusterTraffic)
            text += section("Reachability of \(other.name) from here")
            for link in links where node.linkPeers.contains(LinkPeer(node: other.name, link: link.link.name)) {
                // The firewall admits a cluster peer on every port but ssh.
                text += "refuse \(Shell.quote("\(other.name) ssh (22) is closed over \(link.link.phrase)")) tcp_open \(link.address) 22\n"
            }
            for service in other.services {
                for lan in lans {
                    text += "refuse \(Shell.quote("\(other.name) \(service.name) (\(service.port)) is closed on \(lan.link.phrase)")) "
                    text += "tcp_open \(lan.address) \(service.port)\n"
                }
                for link in links {
                    let what = "\(other.name) \(service.name) (\(service.port))"
                    if case .linkPeers(link.link.name, let peers) = service.exposure, peers.contains(node.name) {
                        text += "expect \(Shell.quote("\(what) answers over \(link.link.phrase)")) tcp_open \(link.address) \(service.port)\n"
                    } else {
                        text += "refuse \(Shell.quote("\(what) is closed over \(link.link.phrase)")) tcp_open \(link.address) \(service.port)\n"
                    }
                }
            }
        }
        return text
    }
}
