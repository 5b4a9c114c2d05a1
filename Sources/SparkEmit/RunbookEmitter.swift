import SparkDiagnostics
import SparkPlan
import SparkSpec

/// `RUNBOOK.md` for each node and the `README.md` index of the whole output tree:
/// which commands to run where, in which order, and where the generated stack departs from a
/// hand-made one.
struct RunbookEmitter {
    /// The node files the runbooks list (`others`: the node files emitted before them, whose
    /// modes the copy step restores), grouped by node once for all of them.
    struct Inputs: Sendable {
        let nodeFiles: [String: [String]]
        let privateFiles: [String: [String]]

        init(others: [Artifact.Entry]) {
            nodeFiles = RunbookEmitter.filesByNode(others)
            privateFiles = RunbookEmitter.filesByNode(others.filter { $0.mode == .privateFile })
        }
    }

    /// One node's RUNBOOK.md.
    func runbook(_ plan: Plan, _ node: NodePlan, inputs: Inputs) -> Artifact {
        let files = NodeFiles(all: inputs.nodeFiles[node.name] ?? [], private: inputs.privateFiles[node.name] ?? [])
        return Artifact(path: Layout.stackFile(node, "RUNBOOK.md"), contents: runbook(plan, node, files: files).markdown)
    }

    /// The README.md index.
    func readme(_ plan: Plan) -> Artifact { Artifact(path: "README.md", contents: index(plan)) }

    /// What the deploy manifest reads of a node's runbook and of the README, known before their
    /// bytes: a build lists them while they are being written.
    static func runbookEntry(_ node: NodePlan) -> Artifact.Entry { Artifact(path: Layout.stackFile(node, "RUNBOOK.md"), contents: "").entry }
    static let readmeEntry = Artifact(path: "README.md", contents: "").entry

    /// Every node's runbook steps and the README's passes over them; `others` are the node files
    /// the copy step puts in place.
    func bringUp(for plan: Plan, others: [Artifact.Entry]) -> BringUp {
        let nodeFiles = Self.filesByNode(others)
        // The same steps as the runbooks print, the copy step's modes included.
        let privateFiles = Self.filesByNode(others.filter { $0.mode == .privateFile })
        var steps: [String: [RunbookStep]] = [:]
        for node in plan.nodes {
            let files = NodeFiles(all: nodeFiles[node.name] ?? [], private: privateFiles[node.name] ?? [])
            var nodeSteps = runbook(plan, node, files: files).steps
            // The copy step puts every generated file of the node in place, the runbook included.
            if let copy = nodeSteps.firstIndex(where: { $0.kind == .copy }) {
                nodeSteps[copy].creates = (nodeFiles[node.name] ?? []) + [Layout.stackPath(node, "RUNBOOK.md")]
            }
            steps[node.name] = nodeSteps
        }
        let firstPass = prepareOrder(plan).map { node in
            let nodeSteps = steps[node.name] ?? []
            // The hand-over follows the firewall: a worker's model step needs what it brings.
            let end =
                nodeSteps.firstIndex { $0.kind == .secretCopies } ?? nodeSteps.firstIndex { $0.kind == .firewall }
                ?? (nodeSteps.count - 1)
            return BringUp.Turn(node: node.name, steps: Array(nodeSteps[...end]))
        }
        let done = Dictionary(uniqueKeysWithValues: firstPass.map { ($0.node, Set($0.steps.map(\.number))) })
        let secondPass = bringUpOrder(plan).filter { !$0.clusterRoles.isEmpty }.map { node in
            BringUp.Turn(node: node.name, steps: (steps[node.name] ?? []).filter { $0.kind == .model })
        }
        // An offering gateway mints the key before the other owner's gateway copies it.
        let gateways = Set(plan.offers.map(\.gateway))
        let thirdPass = (plan.nodes.filter { gateways.contains($0.name) } + plan.nodes.filter { !gateways.contains($0.name) }).map { node in
            BringUp.Turn(
                node: node.name,
                steps: (steps[node.name] ?? []).filter {
                    !(done[node.name] ?? []).contains($0.number) && $0.kind != .model
                })
        }
        return BringUp(passes: [firstPass, secondPass, thirdPass])
    }

    /// A node's generated files as absolute paths on it: all of them, and the private ones,
    /// whose mode the copy step restores.
    struct NodeFiles {
        let all: [String]
        let `private`: [String]
    }

    /// The files under `nodes/<node>/`, as absolute paths on each node, grouped in one pass.
    private static func filesByNode(_ artifacts: [Artifact.Entry]) -> [String: [String]] {
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

    private func runbook(_ plan: Plan, _ node: NodePlan, files: NodeFiles) -> RunbookWriter {
        let recipes = SecretRecipe(node: node, plan: plan)
        let handover = SecretHandover(plan: plan, node: node).parts()
        let offeredKeys = SecretHandover(plan: plan, node: node, offered: true).parts()
        var book = RunbookWriter()

        // Each owner writes its steps; the order is the kinds' (`stepOrder`), not the order here.
        let catalogs = plan.catalogs.filter { catalog in node.clusterRoles.contains { $0.cluster.catalog?.name == catalog.name } }
        let fromGuide = GuideMigration.applies(to: node, servesCatalog: !catalogs.isEmpty)
        writeMigration(node, fromGuide: fromGuide, catalogs: catalogs, into: &book)
        writeCopy(node, files: files, into: &book)
        writePrerequisites(node, into: &book)
        writeImages(plan, node, into: &book)
        writeHostNames(plan, node, into: &book)
        writeSecrets(node, recipes: recipes, into: &book)
        // The cluster links' addresses before the firewall and the models that use them.
        writeClusterLinks(plan, node, into: &book)
        writeTailnet(plan, node, into: &book)
        writeFirewall(node, into: &book)
        if let handover { writeSecretCopies(plan, node, parts: handover, offered: false, into: &book) }
        if let offeredKeys { writeSecretCopies(plan, node, parts: offeredKeys, offered: true, into: &book) }
        writeModels(plan, node, into: &book)
        GatewayStep(plan: plan, node: node, recipes: recipes)?.write(into: &book)
        writeApps(node, into: &book)
        writeVerify(plan, node, into: &book)
        writeHandToOwner(plan, node, into: &book)
        writeDifferences(plan, node, fromGuide: fromGuide, catalogs: catalogs, into: &book)
        book.order(by: Self.stepOrder(node))
        book.introduction = introduction(plan, node, steps: book.steps)
        return book
    }

    /// The runbook's title, the node's owner, tailnet and addresses, and which steps run where
    /// `spark-gen build` ran: those whose commands all run on that machine, in their order.
    private func introduction(_ plan: Plan, _ node: NodePlan, steps: [RunbookStep]) -> String {
        var text = comment(plan, node: node.name)
        text += "# \(node.name): runbook\n\n"
        text += "Owner **\(node.owner.name)**, tailnet **\(node.tailnet.name)** (tag `\(node.tailnet.tag)`)"
        let addresses = node.interfacesLANFirst.map { "\($0.link.label) \($0.address)" + ($0.device.map { " on `\($0)`" } ?? "") }
        text += addresses.map { ", " + $0 }.joined() + ".\n\n"
        let remote = steps.filter { step in
            !step.commandBlocks.isEmpty && step.commandBlocks.allSatisfy { $0.machine == .buildMachine }
        }.map(\.title)
        text += "Run the steps in order, on this node as \(node.user) (commands that need root say `sudo`), except "
        text +=
            remote.count == 1
            ? "'\(remote[0])', which runs"
            : remote.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " and '\(remote.last ?? "")', which run"
        text += " where `spark-gen build` ran. The output's README.md says "
        text += "in which order to bring up the nodes.\n"
        return text
    }

    /// The container spark-vllm-docker's launch-cluster.sh starts unless told another name.
    static let sparkVLLMDockerContainer = "vllm_node"
}
