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
            let end =
                nodeSteps.firstIndex { $0.title == SecretHandover.stepTitle } ?? nodeSteps.firstIndex { $0.title == Self.firewallStep }
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
            BringUp.Turn(
                node: node.name,
                steps: (steps[node.name] ?? []).filter {
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
        book.text +=
            remote.count == 1
            ? "'\(Self.copyStep)', which runs"
            : remote.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " and '\(remote.last!)', which run"
        book.text += " where `spark-gen build` ran. The output's README.md says "
        book.text += "in which order to bring up the nodes.\n"

        // The hand-made split-trust stack this step replaces ran on DGX Sparks; another box starts fresh.
        // It ran LiteLLM under systemd; a compose-run LiteLLM comes from another setup.
        // A catalog's Sparks come from spark-vllm-docker, not from that stack.
        let catalogs = plan.catalogs.filter { catalog in node.clusterRoles.contains { $0.cluster.catalog?.name == catalog.name } }
        // Its Sparks ran LiteLLM or were a cluster's peer on a direct link; a Spark with
        // neither (a model called over the tailnet) was never set up from it.
        let fromGuide =
            node.hardware.kind == Self.guideHardware && node.litellm?.container == nil && catalogs.isEmpty
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
        writeCopy(node, privateFiles: privateFiles, into: &book)
        writePrerequisites(node, into: &book)
        writeImages(plan, node, into: &book)
        writeHostNames(plan, node, into: &book)
        writeSecrets(node, recipes: recipes, into: &book)
        // A node on no LAN is reached over the tailnet once ufw is up, so the tailnet comes first.
        if node.lan == nil { writeTailnet(plan, node, into: &book) }
        // The firewall goes up before anything listens on a link address.
        writeFirewall(node, into: &book)
        if let handover { writeSecretCopies(plan, node, text: handover, offered: false, into: &book) }
        writeModels(plan, node, into: &book)
        if let offeredKeys { writeSecretCopies(plan, node, text: offeredKeys, offered: true, into: &book) }
        if let litellm = node.litellm { writeLiteLLM(plan, node, litellm, recipes: recipes, into: &book) }
        writeApps(node, into: &book)
        if node.lan != nil { writeTailnet(plan, node, into: &book) }
        writeVerify(plan, node, into: &book)
        writeHandToOwner(plan, node, into: &book)

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
