import SparkDiagnostics
import SparkPlan
import SparkSpec

/// `RUNBOOK.md` for each node and the `README.md` index of the whole output tree:
/// which commands to run where, in which order, and where the generated stack departs from a
/// hand-made one.
struct RunbookEmitter {
    /// The runbooks and the index; `others` are the node files already emitted, whose modes the
    /// copy step restores.
    func artifacts(for plan: Plan, others: [Artifact]) -> [Artifact] {
        let privateFiles = Self.filesByNode(others.filter { $0.mode == .privateFile })
        var artifacts = plan.nodes.map { node in
            Artifact(path: Layout.stackFile(node, "RUNBOOK.md"), contents: runbook(plan, node, privateFiles: privateFiles[node.name] ?? []).text)
        }
        artifacts.append(Artifact(path: "README.md", contents: index(plan)))
        return artifacts
    }

    /// Every node's runbook steps and the README's passes over them; `others` are the node files
    /// the copy step puts in place.
    func bringUp(for plan: Plan, others: [Artifact]) -> BringUp {
        let nodeFiles = Self.filesByNode(others)
        var steps: [String: [RunbookStep]] = [:]
        for node in plan.nodes {
            var nodeSteps = runbook(plan, node, privateFiles: []).steps
            // The copy step puts every generated file of the node in place, the runbook included.
            if let copy = nodeSteps.firstIndex(where: { $0.title == Self.copyStep }) {
                nodeSteps[copy].creates = (nodeFiles[node.name] ?? []) + [Layout.stackPath(node, "RUNBOOK.md")]
            }
            steps[node.name] = nodeSteps
        }
        let firstPass = prepareOrder(plan).map { node in
            let nodeSteps = steps[node.name] ?? []
            // The hand-over follows the firewall: a worker's model step needs what it brings.
            let end = nodeSteps.firstIndex { $0.title == SecretHandover.stepTitle } ?? nodeSteps.firstIndex { $0.title == Self.firewallStep }
                ?? (nodeSteps.count - 1)
            return BringUp.Turn(node: node.name, steps: Array(nodeSteps[...end]))
        }
        let done = Dictionary(uniqueKeysWithValues: firstPass.map { ($0.node, Set($0.steps.map(\.number))) })
        let secondPass = bringUpOrder(plan).filter { !$0.clusterRoles.isEmpty }.map { node in
            BringUp.Turn(node: node.name, steps: (steps[node.name] ?? []).filter { $0.title.hasPrefix(Self.modelStepPrefix) })
        }
        // An offering gateway mints the key before the other owner's gateway copies it.
        let gateways = Set(plan.offers.map(\.gateway))
        let thirdPass = (plan.nodes.filter { gateways.contains($0.name) } + plan.nodes.filter { !gateways.contains($0.name) }).map { node in
            BringUp.Turn(node: node.name, steps: (steps[node.name] ?? []).filter {
                !(done[node.name] ?? []).contains($0.number) && !$0.title.hasPrefix(Self.modelStepPrefix)
            })
        }
        return BringUp(passes: [firstPass, secondPass, thirdPass])
    }

    /// The files under `nodes/<node>/`, as absolute paths on each node, grouped in one pass.
    private static func filesByNode(_ artifacts: [Artifact]) -> [String: [String]] {
        var files: [String: [String]] = [:]
        for artifact in artifacts where artifact.path.hasPrefix("nodes/") {
            let rest = artifact.path.dropFirst("nodes/".count)
            guard let slash = rest.firstIndex(of: "/") else { continue }
            files[String(rest[..<slash]), default: []].append(String(rest[slash...]))
        }
        return files
    }

    /// Each command once, in first-seen order: two apps of one kind (two NIMs) share a registry login.
    static func distinct(_ commands: [AppOperations.Command]) -> [AppOperations.Command] {
        var seen = Set<String>()
        return commands.filter { seen.insert($0.line).inserted }
    }

    static let copyStep = "Copy the generated files"
    static let firewallStep = "Firewall"
    static let modelStepPrefix = "Model "

    private func isMultiNodeHead(_ node: NodePlan) -> Bool {
        node.clusterRoles.contains { $0.kind == .head && $0.cluster.isMultiNode }
    }

    /// The order of the first pass: the nodes whose secrets others copy first (heads of multi-node
    /// clusters make the Ray token workers copy; a model on the tailnet makes the key its callers
    /// copy), then the rest, in file order.
    func prepareOrder(_ plan: Plan) -> [NodePlan] {
        var sources = Set<String>()
        for node in plan.nodes {
            for file in node.secretFiles { if case .copied(let from, _) = file.source { sources.insert(from) } }
        }
        let first = plan.nodes.filter { isMultiNodeHead($0) || sources.contains($0.name) }
        let firstNames = Set(first.map(\.name))
        return first + plan.nodes.filter { !firstNames.contains($0.name) }
    }

    func comment(_ plan: Plan, node: String? = nil) -> String {
        "<!--\n" + Header(plan, node: node).lines.joined(separator: "\n") + "\n-->\n"
    }

    /// The order in which nodes are brought up: workers before heads, so a head never starts vLLM alone.
    func bringUpOrder(_ plan: Plan) -> [NodePlan] {
        let workers = plan.nodes.filter { node in node.clusterRoles.contains { $0.kind == .worker } && !node.clusterRoles.contains { $0.kind == .head } }
        let workerNames = Set(workers.map(\.name))
        return workers + plan.nodes.filter { !workerNames.contains($0.name) }
    }

    private func runbook(_ plan: Plan, _ node: NodePlan, privateFiles: [String]) -> (text: String, steps: [RunbookStep]) {
        let user = node.user
        let target = node.sshTarget
        let home = node.home
        let compose = Layout.stackPath(node, ComposeEmitter.fileName)
        let recipes = SecretRecipe(node: node, plan: plan)
        var book = RunbookWriter(text: comment(plan, node: node.name))
        book.text += "# \(node.name): runbook\n\n"
        book.text += "Owner **\(node.owner.name)**, tailnet **\(node.tailnet.name)** (tag `\(node.tailnet.tag)`)"
        let addresses = node.interfacesLANFirst.map { "\($0.link.label) \($0.address)" + ($0.device.map { " on `\($0)`" } ?? "") }
        book.text += addresses.map { ", " + $0 }.joined() + ".\n\n"
        let handover = SecretHandover(plan: plan, node: node).render()
        let offeredKeys = SecretHandover(plan: plan, node: node, offered: true).render()
        let remote = [Self.copyStep] + (handover == nil ? [] : [SecretHandover.stepTitle]) + (offeredKeys == nil ? [] : [SecretHandover.offeredStepTitle])
        book.text += "Run the steps in order, on this node as \(user) (commands that need root say `sudo`), except "
        book.text += remote.count == 1 ? "'\(Self.copyStep)', which runs"
            : remote.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " and '\(remote.last!)', which run"
        book.text += " where `spark-gen build` ran. The output's README.md says "
        book.text += "in which order to bring up the nodes.\n"

        // The hand-made split-trust stack this step replaces ran on DGX Sparks; another box starts fresh.
        // It ran LiteLLM under systemd; a compose-run LiteLLM comes from another setup.
        // A catalog's Sparks come from spark-vllm-docker, not from that stack.
        let catalogs = plan.catalogs.filter { catalog in node.clusterRoles.contains { $0.cluster.catalog?.name == catalog.name } }
        // Its Sparks ran LiteLLM or were a cluster's peer on a direct link; a Spark with
        // neither (a model called over the tailnet) was never set up from it.
        let fromGuide = node.hardware.kind == Self.guideHardware && node.litellm?.container == nil && catalogs.isEmpty
            && (node.litellm != nil || !node.clusterInterfaces.isEmpty)
        if fromGuide {
            let title = book.start("Replacing a stack set up by hand")
            book.text += GuideMigration(node: node).section(step: title)
        }
        if !catalogs.isEmpty {
            book.heading("Coming from spark-vllm-docker")
            book.text += "Skip this on a fresh machine. On a Spark that served models with spark-vllm-docker's `launch-cluster.sh`, "
            book.text += "stop its container first: it holds the port, the GPU memory and, on the head, Ray's ports.\n\n```sh\n"
            book.text += "docker stop \(Self.sparkVLLMDockerContainer) 2>/dev/null || true   # started with --rm: stopping removes it\n```\n"
        }
        let litellmInCompose = node.litellm?.container != nil

        book.heading(Self.copyStep)
        book.text += "From the machine that ran `spark-gen build`, in the output directory:\n\n```sh\n"
        book.text += "rsync -a nodes/\(node.name)\(node.stackDir)/ \(target):\(node.stackDir)/\n"
        // git keeps only the executable bit, so a tree copied from a checkout loses 0600.
        let stackPrivate = privateFiles.filter { $0.hasPrefix(node.stackDir + "/") }
        if !stackPrivate.isEmpty {
            book.text += "ssh \(target) chmod 600 \(stackPrivate.joined(separator: " "))\n"
        }
        if node.litellm != nil, !litellmInCompose {
            let systemPrivate = privateFiles.filter { $0.hasPrefix("/etc/") }
            let chmod = systemPrivate.isEmpty ? "" : " && sudo chmod 600 \(systemPrivate.joined(separator: " "))"
            book.text += "rsync -a nodes/\(node.name)/etc/systemd/system/ \(target):/tmp/spark-gen-systemd/\n"
            book.text += "ssh -t \(target) 'sudo cp -r /tmp/spark-gen-systemd/. /etc/systemd/system/\(chmod) && sudo systemctl daemon-reload'\n"
        }
        book.text += "```\n"
        if node.lan == nil {
            book.text += "\n`\(node.sshHost)` is the node's tailnet name, which answers once the node has joined the tailnet; until then use any "
            book.text += "address that reaches the machine.\n"
        }

        book.heading("Prerequisites")
        switch node.hardware.gpuVendor {
        case .nvidia where node.hardware.kind == Self.guideHardware:
            book.text += "Docker and the NVIDIA container toolkit come with DGX OS; on another Ubuntu install them first.\n\n```sh\n"
        case .nvidia:
            book.text += "Install Docker (with its compose plugin), the NVIDIA driver and the NVIDIA container toolkit first.\n\n```sh\n"
        case .amd:
            book.text += "Install Docker (with its compose plugin) and the amdgpu driver first; the containers reach the GPU through "
            book.text += "`/dev/kfd` and `/dev/dri`.\n\n```sh\n"
        case .none:
            book.text += "Install Docker (with its compose plugin) first.\n\n```sh\n"
        }
        book.text += "sudo usermod -aG docker \(user)   # then log out and in again: the docker commands below run as \(user)\n"
        book.text += Prerequisites.tailscaleInstall + "\n"
        let packages = Prerequisites.pipPackages(node).map { $0.contains("[") || $0.contains("=") ? "'\($0)'" : $0 }
        if !packages.isEmpty {
            book.text += "command -v pip3 >/dev/null || sudo apt-get install -y \(Prerequisites.systemPackages(node).joined(separator: " "))\n"
            book.text += "pip3 install --user --break-system-packages \(packages.joined(separator: " "))\n"
        }
        book.text += "```\n"
        if !packages.isEmpty {
            book.text += "\nA fresh account has no `~/.local/bin` on its PATH, so the steps below call these tools by their full path.\n"
        }
        // An AMD APU's GPU maps system memory through GTT, which the kernel sizes at part of RAM
        // unless told otherwise: the models here count on usable_gb.
        if node.hardware.gpuVendor == .amd, node.hardware.gpuMemoryGB == nil, node.clusterRoles.contains(where: { $0.kind == .head }) {
            let usable = node.hardware.usableGB
            book.text += "\nThe GPU shares this node's memory, and the models here count on \(usable == usable.rounded() ? String(Int(usable)) : String(usable)) GB of it "
            book.text += "(`hardware.usable_gb`). The kernel lets an AMD APU's GPU map only part of RAM unless told otherwise: check what it may map, "
            book.text += "and raise the limit as AMD's \"RDNA3.5 system optimization\" guide describes (the TTM pages limit; Debian's "
            book.text += "amd-debug-tools has `amd-ttm --set`) before the models start:\n\n"
            book.text += "```sh\ncat /sys/class/drm/card*/device/mem_info_gtt_total /sys/class/drm/card*/device/mem_info_vram_total 2>/dev/null   # bytes\n```\n"
        }

        let images = ImagesStep(plan: plan, node: node)
        if !images.isEmpty {
            book.heading(ImagesStep.title)
            let rendered = images.render()
            book.text += rendered.text
            book.reads(rendered.reads)
        }

        // A node on no LAN keeps /etc/hosts as it is: there is no address to give the names.
        if let lan = node.lan, !node.hostsEntries.isEmpty {
            book.heading("Host names on \(lan.link.label) addresses")
            book.reads([Layout.stackPath(node, HostsEmitter.fileName)])
            let marker = "spark-gen \(plan.stackName)"
            let names = node.hostsEntries.map(\.name).joined(separator: "|")
            book.text += "Replaces an earlier spark-gen block and lines for the same names, and keeps the rest of `/etc/hosts`. "
            book.text += "Ubuntu maps the machine's own name to `127.0.1.1`, and name lookups return that line first, "
            book.text += "so it goes too:\n\n```sh\n"
            book.text += "sudo sed -i '/^# BEGIN \(marker)$/,/^# END \(marker)$/d' /etc/hosts\n"
            book.text += "sudo sed -i -E '/^[0-9.]+[[:space:]]+(\(names))[[:space:]]*$/d' /etc/hosts\n"
            book.text += "sudo sed -i -E '/^127\\.0\\.1\\.1[[:space:]]+(.*[[:space:]])?\(node.name)([[:space:]]|$)/d' /etc/hosts\n"
            book.text += "sudo sh -c 'cat \(Layout.stackPath(node, HostsEmitter.fileName)) >> /etc/hosts'\n```\n\n"
            book.text += "If cloud-init manages the file (`manage_etc_hosts: true` in /etc/cloud/cloud.cfg), it writes the "
            book.text += "`127.0.1.1` line again at boot: set that to `false`.\n"
        }

        if !recipes.generatedFiles.isEmpty {
            book.heading("Secrets (once, on this node)")
            let shared = recipes.generatedFiles.compactMap(\.group)
            book.text += "spark-gen never sees a secret. Create each file here, readable only by \(user)"
            if let group = shared.first {
                // compose reads env files as whoever runs it; docker's members can run any container anyway.
                book.text += " (files a compose service loads: root and the \(group) group, mode 0640, since `docker compose` reads them as whoever runs it)"
            }
            book.text += "; "
            book.text += "an existing file is kept (rotate keys deliberately). `\(SecretsManifestEmitter.fileName)` lists every secret "
            book.text += "file of this node as data (path, variables, readers, where the values come from):\n\n```sh\n"
            for file in recipes.generatedFiles {
                book.text += recipes.generate(file) + "\n"
                book.creates([file.path])
            }
            for command in Self.distinct(node.operations.flatMap(\.afterSecrets)) { book.run(command) }
            book.text += "```\n"
        }

        func tailnetStep() {
            book.heading("Tailnet")
            book.text += "`tailnets/\(node.tailnet.name)/policy.hujson` is the tailnet's whole policy: applying it replaces the current one. "
            book.text += "Check that it keeps every device you need (its header says how), apply it, then:\n\n"
            book.text += "```sh\nsudo \(Layout.stackPath(node, "scripts/tailscale-up.sh"))\n```\n"
            book.reads([Layout.stackPath(node, "scripts/tailscale-up.sh")])
            book.text += ShareRunbookNote.text(for: node, in: plan)
        }
        // A node on no LAN is reached over the tailnet once ufw is up, so the tailnet comes first.
        if node.lan == nil { tailnetStep() }

        // The firewall goes up before anything listens on a link address.
        book.heading(Self.firewallStep)
        book.text += "```sh\nsudo \(Layout.stackPath(node, "scripts/firewall.sh"))\n```\n\n"
        book.reads([Layout.stackPath(node, "scripts/firewall.sh")])
        if let lan = node.lan {
            book.text += "ssh from \(lan.link.phrase) stays allowed, so running this over ssh from there is safe.\n"
        } else if node.tailnet.ssh {
            book.text += "This node is on no LAN the topology names: once this runs, ssh comes in only over tailnet "
            book.text += "\(node.tailnet.name) (`ssh \(user)@\(node.tailnetHostname)`) or at the console. Run it from one of "
            book.text += "those, not from an ssh session over another network, which it cuts.\n"
        } else {
            book.text += "This node is on no LAN the topology names and tailnet \(node.tailnet.name) grants no ssh: once this runs, "
            book.text += "only the console reaches it. Run it at the console.\n"
        }
        if let handover {
            book.heading(SecretHandover.stepTitle)
            book.text += handover
            for copy in SecretHandover(plan: plan, node: node).copies {
                book.creates([copy.file.path])
                book.fetches(node: copy.source.name, path: copy.sourcePath)
            }
        }

        for role in node.clusterRoles where !role.cluster.isScripted {
            let cluster = role.cluster
            let title = cluster.runtime.kind.title + (cluster.start == .manual ? ", started by hand" : "")
            book.heading("\(Self.modelStepPrefix)\(cluster.name): \(title)")
            let step = ComposeModelStep(node: node, cluster: cluster, compose: compose).render()
            book.text += step.text
            book.reads(step.reads)
        }
        // A catalog's models start by its swap script: one step per catalog, on its head and its workers.
        for catalog in plan.catalogs {
            let serves = node.clusterRoles.contains { $0.cluster.catalog?.name == catalog.name }
            guard serves else { continue }
            let step = CatalogStep(plan: plan, node: node, catalog: catalog)
            book.heading(step.title)
            let rendered = step.render()
            book.text += rendered.text
            book.reads(rendered.reads)
        }
        for role in node.clusterRoles where role.cluster.isScripted && role.cluster.catalog == nil {
            let cluster = role.cluster
            let base = VLLMEmitter().scriptBase(role, in: node)
            book.heading("\(Self.modelStepPrefix)\(cluster.name): \(role.kind == .head ? "vLLM head" : "Ray worker")")
            book.text += "```sh\n"
            book.reads([Layout.stackPath(node, "scripts/\(base).sh"), Layout.stackPath(node, "scripts/\(base)-entrypoint.sh")])
            if cluster.isMultiNode, let token = cluster.runtime.rayToken { book.reads([node.absolute(token.file)]) }
            if let line = WeightsDownload.line(cluster.weights, on: node) { book.text += line + "\n" }
            book.text += "\(Layout.stackPath(node, "scripts/\(base).sh"))\n```\n\n"
            if role.kind == .worker {
                book.text += "Start this before the head on \(cluster.head.name): the worker retries until the head's Ray is up.\n"
            } else if cluster.isMultiNode {
                book.text += "Start this after the workers (\(cluster.workers.map(\.name).joined(separator: ", "))). "
                book.text += "vLLM waits until all \(cluster.tensorParallel * cluster.pipelineParallel) GPUs have joined Ray. "
                book.text += "The first launch compiles kernels for 10–20 minutes with no log output; the Docker volume `\(VLLMContainer.compileCacheVolume(cluster.name))` keeps the result and makes later starts fast.\n"
            } else {
                book.text += "The model runs its upstream image as it is: a single node needs no Ray.\n"
            }
        }
        // NVIDIA's DGX Spark playbooks: the GPU shares memory with the CPU, and the page cache a
        // large download leaves behind can starve a model that fits.
        if node.hardware.gpuVendor == .nvidia, node.hardware.gpuMemoryGB == nil, node.clusterRoles.contains(where: { $0.kind == .head }) {
            book.text += "\nIf a model stops at start with an out-of-memory error although it fits, the page cache (after a large download, say) "
            book.text += "holds memory the GPU shares with the CPU: flush it, as NVIDIA's DGX Spark playbooks advise, and start the model again:\n\n"
            book.text += "```sh\nsudo sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches'\n```\n"
        }

        if let offeredKeys {
            book.heading(SecretHandover.offeredStepTitle)
            book.text += offeredKeys
            for copy in SecretHandover(plan: plan, node: node, offered: true).copies {
                book.creates([copy.file.path])
                book.fetches(node: copy.source.name, path: copy.sourcePath)
            }
        }

        if let litellm = node.litellm {
            book.heading("LiteLLM proxy")
            book.text += "```sh\n"
            book.reads([Layout.stackPath(node, LiteLLMConfigEmitter.fileName), litellm.container == nil ? "/etc/systemd/system/litellm.service" : compose])
            book.reads(node.secretFiles.filter { $0.readers.contains(App.litellm.rawValue) }.map(\.path))
            if litellm.database != nil { book.reads([compose]) }
            if let database = litellm.database {
                let container = App.litellmDB.containerName
                book.text += "docker compose -f \(compose) up -d \(container)\n"
                book.text += "timeout 120 bash -c 'until docker exec \(container) pg_isready -q -h \(database.host) -p \(database.port) -U \(LiteLLMPlan.Database.user); do sleep 1; done'\n"
                // LiteLLM's image migrates its database at start (`prisma migrate deploy`, proxy_cli.py);
                // from site-packages the schema is pushed here.
                if litellm.container == nil, let file = node.secretFile(defining: "DATABASE_URL") {
                    book.text += "( set -a; . \(file.path); \(home)/.local/bin/prisma db push --schema \(home)/.local/lib/python\(node.python)/site-packages/litellm/proxy/schema.prisma )\n"
                }
            }
            if litellm.cache != nil {
                book.text += "docker compose -f \(compose) up -d \(App.redis.containerName)\n"
            }
            if let container = litellm.container {
                book.text += "docker compose -f \(compose) up -d \(container)\n"
            } else {
                book.text += "sudo systemctl enable --now litellm\n"
            }
            // A first start with a database migrates it, which takes a while.
            let wait = LiteLLMWait(node: node, litellm: litellm)
            book.reads(wait.reads)
            book.text += wait.line + "\n```\n\n"
            book.text += "LiteLLM listens on \(litellm.bindAddress):\(litellm.port) and reaches "
            book.text += litellm.routes.isEmpty ? "no model.\n" : "\(litellm.routes.map { "\($0.servedName) at \($0.apiBase)" }.joined(separator: ", ")).\n"
            book.text += "\n`\(Layout.stackPath(node, SmokeEmitter.fileName))` (as \(user)) checks that it is ready and that every model answers a one-token completion: "
            book.text += "run it after every change of the config.\n"

            if !recipes.virtualKeyFiles.isEmpty {
                let offers = plan.offers.filter { $0.gateway == node.name }
                let forApps = recipes.virtualKeyFiles.count > offers.count
                book.heading(offers.isEmpty ? "Virtual keys for the apps (once)" : forApps ? "Virtual keys for the apps and other owners (once)" : "Virtual keys for other owners (once)")
                if litellm.database != nil, let master = node.secretFile(defining: litellm.masterKey.variable) {
                    if forApps {
                        book.text += "Each app gets a key of its own, minted with the master key and limited to this LiteLLM's models; "
                        book.text += "the apps read it at their first start. "
                    }
                    for offer in offers {
                        book.text += "Owner \(offer.to) gets a key limited to \(offer.servedNames.map { "`\($0)`" }.joined(separator: ", ")), the models offered to it "
                        book.text += "(`\(offer.path)`); \(offer.receivers.joined(separator: ", ")) copies it in its 'Secrets from other nodes' step and calls this LiteLLM "
                        book.text += "\(offer.lan.map { "over LAN \($0)" } ?? "over the tailnet") with it, at \(offer.apiBase). LiteLLM refuses it for any other model. "
                    }
                    book.text += "To mint a new one, delete the old key in the LiteLLM UI and the file here.\n\n```sh\n"
                    book.reads([master.path])
                    for file in recipes.virtualKeyFiles {
                        book.text += recipes.mint(file, litellm: litellm, masterKeyFile: master.path) + "\n"
                        book.creates([file.path])
                    }
                    book.text += "```\n"
                } else {
                    book.text += "This LiteLLM has no database, so it cannot mint virtual keys: write a key made elsewhere into "
                    book.text += recipes.virtualKeyFiles.map { "`\($0.path)` (`\($0.variables.joined(separator: ", "))=…`)" }.joined(separator: ", ")
                    book.text += ", mode 0600.\n"
                }
            }
        }

        for step in node.operations.compactMap(\.step) {
            book.heading(step.title)
            book.text += step.intro + "\n\n```sh\n"
            for command in step.commands { book.run(command) }
            book.text += "```\n"
        }

        // Models and LiteLLM have steps of their own.
        let modelServices = Set(node.clusterRoles.compactMap(\.cluster.serviceName))
        let composeApps = node.workloads.filter {
            $0.runner == .compose && ![App.litellmDB.containerName, App.redis.containerName, node.litellm?.container].contains($0.name)
                && !modelServices.contains($0.name)
        }
        if !composeApps.isEmpty {
            book.heading("Apps")
            book.text += "```sh\n"
            book.reads([compose] + composeApps.flatMap(\.environmentFiles))
            for command in Self.distinct(node.operations.flatMap(\.beforeStart)) { book.run(command) }
            book.text += "docker compose -f \(compose) up -d\n"
            for command in Self.distinct(node.operations.flatMap(\.afterStart)) { book.run(command) }
            book.text += "```\n"
            // Two apps of one kind (two NIMs) share their notes.
            var said = Set<String>()
            for note in node.operations.flatMap(\.notes) where said.insert(note).inserted { book.text += "\n\(note)\n" }
        }

        if node.lan != nil { tailnetStep() }

        book.heading("Verify")
        book.text += "```sh\nsudo \(Layout.stackPath(node, "scripts/verify.sh"))\n```\n\n"
        book.reads([Layout.stackPath(node, "scripts/verify.sh")] + node.secretFiles.map(\.path))
        book.text += "From a device on tailnet \(node.tailnet.name) (run `tailscale status` to find the address):\n\n"
        for service in node.services where service.isTailnetFacing {
            book.text += "- `nc -zv \(node.tailnetHostname) \(service.port)` succeeds (\(service.name))\n"
        }
        for service in node.services where !service.isTailnetFacing {
            if case .tailnetPeers(let peers) = service.exposure {
                // Granted to the tailnet's tag for the nodes that call it, with its key.
                book.text += "- `nc -zv -w 3 \(node.tailnetHostname) \(service.port)` fails from a user's device, and succeeds from "
                book.text += "\(peers.joined(separator: ", ")) (\(service.name), granted to \(node.tailnet.tag))\n"
                continue
            }
            book.text += "- `nc -zv -w 3 \(node.tailnetHostname) \(service.port)` fails (\(service.name))\n"
        }
        // Listeners a named host reaches from a LAN: it gets an answer, the rest of the LAN does not.
        for service in node.services {
            guard case .hosts(let link, let names) = service.exposure, let own = node.interface(on: link) else { continue }
            var path = "/v1/models"
            if case .app(let name) = service.role, App(rawValue: name)?.isSpeech == true { path = SpeechNIM.readinessPath }
            book.text += "\nFrom host \(names.joined(separator: " or ")), `curl -fsS http://\(own.address):\(service.port)\(path)` answers "
            book.text += "(\(service.name)); from any other machine on \(own.link.phrase), `nc -zv -w 3 \(own.address) \(service.port)` fails.\n"
        }
        // The tailnets of the nodes this one works with: the ones a mistake would most likely open it to.
        var partnerTailnets: [String] = []
        for partner in node.linkPeers {
            guard let name = plan.node(named: partner.node)?.tailnet.name, name != node.tailnet.name, !partnerTailnets.contains(name) else { continue }
            partnerTailnets.append(name)
        }
        for name in partnerTailnets {
            book.text += "- from tailnet \(name), \(node.name) is not visible at all\n"
        }

        book.heading("Hand the node to its owner and lock ssh down")
        book.text += "When someone other than \(node.owner.name) set this node up, \(node.owner.name) takes it over with fresh secrets:\n\n```sh\n"
        if let litellm = node.litellm, let master = node.secretFile(defining: litellm.masterKey.variable) {
            let variable = litellm.masterKey.variable
            if master.variables == [variable] {
                book.text += "\(master.group == nil ? "" : "sudo ")rm \(master.path)   # then run the secrets step again for this file\n"
            } else {
                // The file holds more (the salt key, which must never change: LiteLLM could no longer
                // read what it encrypted): only the master key's line is made anew.
                let write = master.group.map { "sudo install -m \(master.mode) -o root -g \($0) \"$tmp\" \(master.path)" } ?? "cat \"$tmp\" > \(master.path)"
                book.text += "( umask 077; tmp=$(mktemp); trap 'rm -f \"$tmp\"' EXIT   # a new \(variable); the file's other values stay\n"
                book.text += "  { grep -v '^\(variable)=' \(master.path); printf '\(variable)=sk-%s\\n' \"$(openssl rand -hex 24)\"; } > \"$tmp\"\n"
                book.text += "  \(write) )\n"
            }
            if let container = litellm.container {
                // A restart keeps the environment the container was created with.
                book.text += "docker compose -f \(compose) up -d --force-recreate \(container)\n"
            } else {
                book.text += "sudo systemctl restart litellm\n"
            }
        }
        book.text += "ssh-keygen -lf \(home)/.ssh/authorized_keys   # delete the lines of keys that are not \(node.owner.name)'s\n```\n\n"
        let gated = SSHGate.gates(in: plan, on: node).map(\.holder)
        if !gated.isEmpty {
            book.text += "Keep the lines that end in \(gated.map { "`spark-gen:\($0)`" }.joined(separator: " and ")): the gated keys of the catalog step.\n\n"
        }
        book.text += "Once \(node.owner.name)'s own key logs in (test it from a second terminal), turn password logins off:\n\n```sh\n"
        // sshd keeps the first value it reads for a keyword and reads sshd_config.d in name order,
        // so a file after cloud-init's 50-cloud-init.conf (PasswordAuthentication yes) changes nothing.
        book.text += "sudo tee /etc/ssh/sshd_config.d/00-spark-gen.conf >/dev/null <<'EOF'\n"
        book.text += "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\nAllowUsers \(user)\nEOF\n"
        book.text += "sudo sshd -t && sudo systemctl reload ssh\n"
        book.text += "sudo sshd -T | grep -Ex 'passwordauthentication no|kbdinteractiveauthentication no|permitrootlogin no'   # all three lines\n```\n\n"
        book.text += "sshd keeps the first value it reads and reads `sshd_config.d` in name order, so the file is named to come first: "
        book.text += "a later one could not override cloud-init's `50-cloud-init.conf`, which may say `PasswordAuthentication yes`. "
        book.text += "If `sshd -T` prints fewer than three lines, an earlier file still sets them.\n\n"
        let sshFrom = node.lans.map(\.link.phrase) + (node.tailnet.ssh ? ["tailnet \(node.tailnet.name)"] : [])
        let never = node.clusterInterfaces.isEmpty ? "" : ", never over " + node.clusterInterfaces.map(\.link.phrase).joined(separator: " or ")
        book.text += sshFrom.isEmpty
            ? "The firewall admits ssh from nowhere: only the console reaches this node.\n"
            : "The firewall already admits ssh only from \(sshFrom.joined(separator: " and "))\(never).\n"

        if fromGuide {
            book.heading("Where this stack differs from a hand-made one, and why")
            book.text += differences(plan, node)
        } else if !catalogs.isEmpty {
            book.heading("Where this stack differs from spark-control's own setup, and why")
            book.text += catalogDifferences(node, catalogs)
        } else {
            book.heading("Where this stack differs from a hand-made one, and why")
            book.text += composeDifferences(node)
        }
        return (book.text, book.steps)
    }

    /// The container spark-vllm-docker's launch-cluster.sh starts unless told another name.
    static let sparkVLLMDockerContainer = "vllm_node"
}
