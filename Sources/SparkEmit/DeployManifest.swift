import SparkPlan

/// What deploying a stack means, per node, without naming any tool: which files go where with
/// which mode and owner, which directories they need, what to restart when a file changes, which
/// secrets the node makes and which it must already hold, and the bring-up order the README's
/// passes give. The Ansible emitter renders it; a second engine (pyinfra) is one more renderer.
public struct DeployManifest: Sendable {
    /// What a changed file asks for once every file of the node is in place.
    public enum Action: Hashable, Sendable, Comparable {
        /// `systemctl daemon-reload`, then restart the unit.
        case restartUnit(String)
        /// `docker compose up -d` in the directory holding the compose file.
        case composeUp(directory: String)
        /// `docker compose up -d --force-recreate SERVICE`: the service mounts the changed file,
        /// and a container keeps reading the file it was created with (an atomic copy makes a
        /// new inode; Compose sees no change in compose.yaml and would leave it running).
        case recreateService(directory: String, service: String)
        /// `netplan apply`: a link's addresses and MTU changed (before the firewall script runs).
        case applyNetplan
        /// Run the node's firewall script as root: it rebuilds ufw's rules from scratch and
        /// records which version of itself it applied (`FirewallEmitter.appliedRecord`), which a
        /// deploy compares too. Another script that runs on change is a case of its own, with
        /// its own record: this one's checks read the firewall's.
        case runFirewall(String)

        public var composeDirectory: String? {
            if case .composeUp(let directory) = self { return directory }
            return nil
        }
    }

    public struct Directory: Hashable, Sendable {
        public let path: String
        public let mode: String
        public let owner: String
        public let group: String
    }

    public struct File: Hashable, Sendable {
        /// Where the file is in the output tree, relative to its root.
        public let source: String
        /// The absolute path on the node.
        public let path: String
        public let mode: String
        public let owner: String
        public let group: String
        /// What a change of the file asks for: empty for a file nothing reads at start.
        public let onChange: [Action]
    }

    public struct Secret: Sendable {
        public enum Origin: Sendable {
            /// Made on the node by this shell snippet, which does nothing when the file exists.
            case generated(recipe: String)
            /// Copied from another node by the runbook's hand-over; a deploy only checks it is there.
            case copied(from: String)
            /// Minted from the running LiteLLM, or typed by the operator: a runbook step.
            case byHand(reason: String)
        }

        public let path: String
        public let mode: String
        /// Whether making it needs root (a file owned by root, readable by a service's group).
        public let asRoot: Bool
        public let origin: Origin
    }

    /// Where a node stands in the README's first pass.
    public enum Wave: String, Sendable, CaseIterable {
        /// Heads of multi-node clusters and nodes whose secrets others copy.
        case makesSharedSecrets = "makes_shared_secrets"
        /// Nodes that hold a copy of another node's secret.
        case copiesSecrets = "copies_secrets"
        case rest
    }

    public struct Node: Sendable {
        public let name: String
        public let owner: String
        /// The address the operator reaches the node by with ssh, and the user.
        public let host: String
        /// Whether `host` answers only once the node joined its tailnet (it has no LAN address).
        public let hostIsTailnetName: Bool
        public let user: String
        public let wave: Wave
        /// Whether the node holds a worker's part of a cluster, started before the heads.
        public let isWorker: Bool
        public let directories: [Directory]
        public let files: [File]
        public let secrets: [Secret]
        public let verifyScript: String?
        /// The runbook's Prerequisites: Debian packages (as root), then Python packages
        /// installed with `pip3 install --user` as the node's user.
        public let systemPackages: [String]
        public let userPipPackages: [String]
        /// A command that fails unless python3 is the version the node's files name, and why.
        public let pythonCheck: (command: String, stop: String)?
        /// Weights fetched as the node's user: each an argument list, the program first.
        public let downloads: [[String]]
    }

    public let stack: String
    /// In the order of the README's first pass.
    public let nodes: [Node]

    /// The manifest of `plan`, whose emitted files are `artifacts`.
    static func make(_ plan: Plan, artifacts: [Artifact.Entry]) -> DeployManifest {
        let runbook = RunbookEmitter()
        let sources = Set(
            plan.nodes.flatMap { node in
                node.secretFiles.compactMap { file -> String? in
                    if case .copied(let from, _) = file.source { return from }
                    return nil
                }
            })
        // Each node's artifacts, found in one pass: filtering all of them per node grows with
        // the square of the fleet (2000 nodes, 30,000 files: 60 million prefix checks).
        var artifactsByNode: [Substring: [Artifact.Entry]] = [:]
        for artifact in artifacts where artifact.path.hasPrefix("nodes/") {
            let rest = artifact.path.dropFirst("nodes/".count)
            guard let slash = rest.firstIndex(of: "/") else { continue }
            artifactsByNode[rest[..<slash], default: []].append(artifact)
        }
        let nodes = runbook.prepareOrder(plan).map { node in
            let copies = node.secretFiles.contains { if case .copied = $0.source { return true } else { return false } }
            let heads = node.clusterRoles.contains { $0.kind == .head && $0.cluster.isMultiNode }
            let wave: Wave = heads || sources.contains(node.name) ? .makesSharedSecrets : copies ? .copiesSecrets : .rest
            let files = files(of: node, in: artifactsByNode[Substring(node.name)] ?? [])
            return Node(
                name: node.name, owner: node.owner.name, host: node.sshHost, hostIsTailnetName: node.lan == nil, user: node.user, wave: wave,
                isWorker: node.clusterRoles.contains { $0.kind == .worker } && !heads,
                directories: directories(for: files, on: node), files: files,
                secrets: secrets(of: node, in: plan),
                verifyScript: files.first { $0.path.hasSuffix("/scripts/verify.sh") }?.path,
                systemPackages: Prerequisites.systemPackages(node), userPipPackages: Prerequisites.pipPackages(node),
                pythonCheck: Prerequisites.pythonVersionCheck(node),
                downloads: downloads(of: node))
        }
        return DeployManifest(stack: plan.stackName, nodes: nodes)
    }

    /// The node's files, from its artifacts (those below nodes/<node>/).
    private static func files(of node: NodePlan, in artifacts: [Artifact.Entry]) -> [File] {
        let prefix = "nodes/\(node.name)/"
        let units = unitCommands(in: artifacts, prefix: prefix)
        // The node's own paths, made once, not once per file.
        let paths = NodePaths(home: node.home + "/", compose: Layout.stackPath(node, "compose.yaml"), firewall: Layout.stackPath(node, "scripts/firewall.sh"))
        return artifacts.map { artifact in
            let path = "/" + artifact.path.dropFirst(prefix.count)
            let ownedByUser = path.hasPrefix(paths.home)
            return File(
                source: artifact.path, path: path, mode: octal(artifact.mode.rawValue),
                owner: ownedByUser ? node.user : "root", group: ownedByUser ? String(node.gid) : "root",
                onChange: actions(for: path, on: node, paths: paths, units: units))
        }.sorted { $0.path < $1.path }
    }

    /// Every model's weights the node's runbook downloads, once each, in the order of its roles.
    private static func downloads(of node: NodePlan) -> [[String]] {
        var result: [[String]] = []
        for role in node.clusterRoles {
            for arguments in WeightsDownload.allArguments(role.cluster.weights) {
                let command = [WeightsDownload.executable(on: node)] + arguments
                if !result.contains(command) { result.append(command) }
            }
        }
        return result
    }

    /// A unit restarts, a compose file brings its services up, the firewall script runs again,
    /// and a file a running service reads only at start restarts that service: the compose
    /// services that mount it (the Plan's workloads), the units whose ExecStart names it.
    private static func actions(for path: String, on node: NodePlan, paths: NodePaths, units: [(unit: String, words: Set<String>)]) -> [Action] {
        let systemd = "/etc/systemd/system/"
        if path.hasPrefix(systemd) {
            let rest = path.dropFirst(systemd.count)
            let unit = rest.split(separator: "/").first.map { $0.hasSuffix(".d") ? String($0.dropLast(2)) : String($0) }
            return unit.map { [Action.restartUnit($0)] } ?? []
        }
        if path == paths.compose { return [.composeUp(directory: node.stackDir)] }
        if path.hasPrefix(NetplanEmitter.directory + "/") { return [.applyNetplan] }
        if path == paths.firewall { return [.runFirewall(path)] }
        var actions: [Action] = []
        // A manual-start service stays out: `up -d --force-recreate` would start it.
        for workload in node.workloads where workload.runner == .compose && !workload.manualStart {
            let mounted = workload.mounts.contains { mount in
                guard case .bind(let source) = mount.source else { return false }
                return path == source || path.hasPrefix(source.hasSuffix("/") ? source : source + "/")
            }
            if mounted { actions.append(.recreateService(directory: node.stackDir, service: workload.name)) }
        }
        for (unit, words) in units where words.contains(path) { actions.append(.restartUnit(unit)) }
        return actions
    }

    /// Paths of a node that every one of its files is compared with.
    private struct NodePaths {
        /// The home directory with a trailing `/`.
        let home: String
        let compose: String
        let firewall: String
    }

    /// Each unit of the node with the words of its ExecStart lines (the unit file's and its
    /// drop-ins'), `--config=PATH` split at `=`: a file named there is read when the unit starts.
    private static func unitCommands(in artifacts: [Artifact.Entry], prefix: String) -> [(unit: String, words: Set<String>)] {
        let systemd = prefix + "etc/systemd/system/"
        var words: [String: Set<String>] = [:]
        for artifact in artifacts where artifact.path.hasPrefix(systemd) {
            guard let first = artifact.path.dropFirst(systemd.count).split(separator: "/").first else { continue }
            let unit = first.hasSuffix(".d") ? String(first.dropLast(2)) : String(first)
            for line in artifact.execStart {
                for word in line.split(separator: " ") {
                    words[unit, default: []].insert(String(word))
                    if let equals = word.firstIndex(of: "=") { words[unit, default: []].insert(String(word[word.index(after: equals)...])) }
                }
            }
        }
        return words.keys.sorted().map { ($0, words[$0] ?? []) }
    }

    /// Every directory a file needs below the node's home (the user's) or below
    /// /etc/systemd/system (root's), parents first; those two exist on every node. /etc/netplan
    /// is listed itself: a Debian without netplan.io has none.
    private static func directories(for files: [File], on node: NodePlan) -> [Directory] {
        var seen = Set<String>()
        var result: [Directory] = []
        for file in files {
            let netplan = file.path.hasPrefix(NetplanEmitter.directory + "/")
            if netplan, seen.insert(NetplanEmitter.directory).inserted {
                result.append(Directory(path: NetplanEmitter.directory, mode: "0755", owner: "root", group: "root"))
            }
            let base = file.path.hasPrefix(node.home + "/") ? node.home : netplan ? NetplanEmitter.directory : "/etc/systemd/system"
            var parts = file.path.dropFirst(base.count + 1).split(separator: "/").dropLast().map(String.init)
            var path = base
            while !parts.isEmpty {
                path += "/" + parts.removeFirst()
                guard seen.insert(path).inserted else { continue }
                result.append(Directory(path: path, mode: "0755", owner: file.owner, group: file.group))
            }
        }
        return result.sorted { $0.path < $1.path }
    }

    private static func secrets(of node: NodePlan, in plan: Plan) -> [Secret] {
        let recipes = SecretRecipe(node: node, plan: plan)
        return node.secretFiles.map { file in
            let origin: Secret.Origin
            switch file.source {
            case .generated: origin = .generated(recipe: recipes.generate(file))
            case .copied(let from, _): origin = .copied(from: from)
            case .virtualKey(let app, _): origin = .byHand(reason: GatewayDifferences.mintedFromRunning(app: app))
            case .entered: origin = .byHand(reason: "a value only the operator has, typed at a prompt")
            }
            return Secret(path: file.path, mode: file.mode, asRoot: file.group != nil, origin: origin)
        }
    }

    private static func octal(_ mode: UInt16) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
