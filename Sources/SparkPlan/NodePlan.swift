import SparkDiagnostics
import SparkSpec

/// Everything that lands on one node.
///
/// A class: rules and emitters look nodes up by name many times per node, and a struct of this
/// size would be copied (and every field retained) on each lookup.
public final class NodePlan: Sendable {
    public let name: String
    /// The login user who runs the stack.
    public let user: String
    public let home: String
    public let uid: Int
    public let gid: Int
    public let hardware: Hardware
    /// The node's name on its tailnet (MagicDNS).
    public let tailnetHostname: String
    /// The node's fixed tailnet address, if the topology gives one.
    public let tailnetIP: IPv4Address?
    /// Routes `tailscale up` advertises from this node.
    public let advertiseRoutes: [IPv4Network]
    /// The system Python's version, for the user site-packages path LiteLLM runs from.
    public let python: String
    /// Extra ufw rules the topology gives this node.
    public let firewall: [FirewallRule]
    /// The node's apps, in the order the topology lists them.
    public let apps: [App]
    /// Where the node is written in the topology, for findings about it.
    public let path: SpecPath
    private let appOptions: [App: AppOptions]
    public let owner: OwnerPlan
    /// The node's tailnet (its owner's, or the one the topology names for it).
    public let tailnet: TailnetIdentity
    /// The stack directory as an absolute path on the node.
    public let stackDir: String
    /// The node's ports on links, in the order the topology lists them.
    public let interfaces: [NodeInterface]
    public let services: [Service]
    /// The containers and processes the node's apps run as, in the order the topology lists the apps.
    public let workloads: [Workload]
    /// The LiteLLM proxy this node runs, if any.
    public let litellm: LiteLLMPlan?
    /// What the operator does for each app beyond starting it, and what verify.sh checks of
    /// it, in the order the topology lists the apps. Runbook and verify.sh text: a plan resolved
    /// for the rules (`PlanResolver.Parts.rules`) has none, and asking it for them is a bug.
    public var operations: [AppOperations] { emitted(storedOperations, "operations") }
    private let storedOperations: [AppOperations]?
    /// Secret files this node must hold, each with the variables it must define.
    public let secretFiles: [SecretFile]
    /// Clusters this node takes part in, with its role in each.
    public let clusterRoles: [ClusterRole]
    /// The nodes this one exchanges traffic with over a link (cluster peers, callers of its
    /// models, heads of the models it calls), in file order.
    public let linkPeers: [LinkPeer]
    /// This node and its link peers by LAN address, for /etc/hosts; empty when the node is on no LAN.
    /// Only emitters read it (not made for the rules, as `operations`).
    public var hostsEntries: [(ip: String, name: String)] { emitted(storedHostsEntries, "hostsEntries") }
    private let storedHostsEntries: [(ip: String, name: String)]?
    /// Files the node's apps read from the stack directory, as their kinds wrote them (not made
    /// for the rules, as `operations`).
    public var configFiles: [ConfigFile] { emitted(storedConfigFiles, "configFiles") }
    private let storedConfigFiles: [ConfigFile]?

    public init(
        node: Node, owner: OwnerPlan, tailnet: TailnetIdentity, stackDir: String, interfaces: [NodeInterface], services: [Service],
        workloads: [Workload], litellm: LiteLLMPlan?, operations: [AppOperations]?, secretFiles: [SecretFile], clusterRoles: [ClusterRole],
        linkPeers: [LinkPeer],
        hostsEntries: [(ip: String, name: String)]?, configFiles: [ConfigFile]? = []
    ) {
        name = node.name
        user = node.user
        home = node.home
        uid = node.uid
        gid = node.gid
        hardware = node.hardware
        tailnetHostname = node.tailnetHostname
        tailnetIP = node.tailnetIP
        advertiseRoutes = node.advertiseRoutes
        python = node.python
        firewall = node.firewall
        apps = node.apps
        path = node.path
        appOptions = node.appOptions
        self.owner = owner
        self.tailnet = tailnet
        self.stackDir = stackDir
        self.interfaces = interfaces
        self.services = services
        self.workloads = workloads
        self.litellm = litellm
        storedOperations = operations
        self.secretFiles = secretFiles
        self.clusterRoles = clusterRoles
        self.linkPeers = linkPeers
        storedHostsEntries = hostsEntries
        storedConfigFiles = configFiles
    }

    /// A part only emitters read, which a plan resolved for the rules does not make: reading it
    /// there would emit a file without it, so it stops the program instead.
    private func emitted<Part>(_ part: Part?, _ name: String) -> Part {
        guard let part else { preconditionFailure("NodePlan.\(name) of a plan resolved for the rules only (PlanResolver.Parts.rules)") }
        return part
    }

    /// False for a node of a plan resolved for the rules only.
    var hasEmitterParts: Bool { storedOperations != nil && storedHostsEntries != nil && storedConfigFiles != nil }

    /// The settings the topology gives `app` here, if any.
    public func options(of app: App) -> AppOptions? { appOptions[app] }
    /// The port `app` listens on here: the topology's `port:` for the app, or the app's default.
    public func port(of app: App) -> Int? { appOptions[app]?.port ?? app.port }

    public func has(_ app: App) -> Bool { apps.contains(app) }

    /// The node's port on `link`, if it is on it.
    public func interface(on link: String) -> NodeInterface? { interfaces.first { $0.link.name == link } }
    /// The node's first LAN port: where ssh comes in and other hosts live.
    public var lan: NodeInterface? { lans.first }
    /// The node's LAN ports, in file order.
    public var lans: [NodeInterface] { interfaces.filter { $0.link.kind == .lan } }
    /// This node's first LAN port that `other` is on too: where ssh between them goes (the
    /// firewall refuses it between cluster peers over their direct link).
    public func sharedLAN(with other: NodePlan) -> NodeInterface? { lans.first { other.interface(on: $0.link.name) != nil } }
    /// The node's ports on direct links and fabrics.
    public var clusterInterfaces: [NodeInterface] { interfaces.filter(\.carriesClusterTraffic) }
    /// LAN ports first, then the others, each in file order: how tables and pictures list addresses.
    public var interfacesLANFirst: [NodeInterface] { lans + clusterInterfaces }
    /// Where an operator reaches the node with ssh: its LAN address, else its tailnet name.
    public var sshHost: String { lan?.address.description ?? tailnetHostname }
    /// `user@host` for ssh, scp and rsync to the node.
    public var sshTarget: String { "\(user)@\(sshHost)" }
    /// Whether some address of this node is `address`.
    public func owns(_ address: String) -> Bool { interfaces.contains { $0.address.description == address } }

    /// The secret file that defines `variable` on this node, if any.
    public func secretFile(defining variable: String) -> SecretFile? {
        secretFiles.first { $0.variables.contains(variable) }
    }

    /// An absolute path on this node for a path the topology wrote.
    public func absolute(_ path: NodePath) -> String { path.absolute(home: home) }
}

/// A secret environment file on a node, the variables spark-gen expects in it, and how the
/// runbook makes it. Only references: no value ever reaches the plan.
public struct SecretFile: Hashable, Sendable {
    /// Where the file's values come from.
    public enum Source: Hashable, Sendable {
        /// Fresh random values, made on the node.
        case generated
        /// A copy of the file another node made (a worker's Ray token is the head's), over ssh.
        case copied(node: String, path: String)
        /// The app's LiteLLM virtual key, minted from the running LiteLLM with the master key:
        /// limited to `models` (served names), or to every model the LiteLLM routes when nil.
        /// `app` is the key's alias: an app's name, or `offer-OWNER` for a key offered to another owner.
        case virtualKey(app: String, models: [String]?)
        /// A value the operator has from elsewhere (an account's API key), typed at a prompt.
        case entered(prompt: String)
    }

    public let path: String
    public let variables: [String]
    /// The services that read it, for the runbook.
    public let readers: [String]
    public let source: Source
    /// The group that reads the file besides root (mode 0640, owned by root), or nil for a file
    /// of the node's user alone (mode 0600).
    public let group: String?
    /// How the runbook makes each variable of a file an app owns; empty for the files the
    /// topology names, whose variables `SecretRecipe` knows by name.
    public let values: [String: SecretValue]

    public init(
        path: String, variables: [String], readers: [String], source: Source, group: String? = nil, values: [String: SecretValue] = [:]
    ) {
        self.path = path
        self.variables = variables
        self.readers = readers
        self.source = source
        self.group = group
        self.values = values
    }

    /// The file's mode, as `chmod` takes it.
    public var mode: String { group == nil ? "0600" : "0640" }

    /// The app whose LiteLLM virtual key the file holds, if it holds one.
    public var virtualKeyFor: String? {
        if case .virtualKey(let app, _) = source { return app }
        return nil
    }
}

/// A node's part in a model cluster.
public struct ClusterRole: Sendable {
    public enum Kind: String, Sendable { case head, worker }
    public let kind: Kind
    public let cluster: ClusterPlan
}
