import SparkDiagnostics
import SparkSpec

/// Everything that lands on one node.
///
/// A class: rules and emitters look nodes up by name many times per node, and a struct of this
/// size would be copied (and every field retained) on each lookup.
public final class NodePlan: Sendable {
    /// The node as the topology wrote it, for the kinds that lower its apps; nothing outside
    /// SparkPlan sees it; they read the properties below.
    let node: Node
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
    /// Secret files this node must hold, each with the variables it must define.
    public let secretFiles: [SecretFile]
    /// Clusters this node takes part in, with its role in each.
    public let clusterRoles: [ClusterRole]
    /// The nodes this one exchanges traffic with over a link (cluster peers, callers of its
    /// models, heads of the models it calls), in file order.
    public let linkPeers: [LinkPeer]
    /// This node and its link peers by LAN address, for /etc/hosts; empty when the node is on no LAN.
    public let hostsEntries: [(ip: String, name: String)]

    public init(
        node: Node, owner: OwnerPlan, tailnet: TailnetIdentity, stackDir: String, interfaces: [NodeInterface], services: [Service],
        workloads: [Workload], litellm: LiteLLMPlan?, secretFiles: [SecretFile], clusterRoles: [ClusterRole], linkPeers: [LinkPeer],
        hostsEntries: [(ip: String, name: String)]
    ) {
        self.node = node
        self.owner = owner
        self.tailnet = tailnet
        self.stackDir = stackDir
        self.interfaces = interfaces
        self.services = services
        self.workloads = workloads
        self.litellm = litellm
        self.secretFiles = secretFiles
        self.clusterRoles = clusterRoles
        self.linkPeers = linkPeers
        self.hostsEntries = hostsEntries
    }

    public var name: String { node.name }
    /// The login user who runs the stack.
    public var user: String { node.user }
    public var home: String { node.home }
    public var uid: Int { node.uid }
    public var gid: Int { node.gid }
    public var hardware: Hardware { node.hardware }
    /// The node's name on its tailnet (MagicDNS).
    public var tailnetHostname: String { node.tailnetHostname }
    /// The node's fixed tailnet address, if the topology gives one.
    public var tailnetIP: IPv4Address? { node.tailnetIP }
    /// Routes `tailscale up` advertises from this node.
    public var advertiseRoutes: [IPv4Network] { node.advertiseRoutes }
    /// The system Python's version, for the user site-packages path LiteLLM runs from.
    public var python: String { node.python }
    /// Extra ufw rules the topology gives this node.
    public var firewall: [FirewallRule] { node.firewall }
    /// The node's apps, in the order the topology lists them.
    public var apps: [App] { node.apps }
    /// The settings the topology gives `app` here, if any.
    public func options(of app: App) -> AppOptions? { node.appOptions[app] }
    /// The port `app` listens on here: the topology's `port:` for the app, or the app's default.
    public func port(of app: App) -> Int? { node.port(of: app) }
    /// Where the node is written in the topology, for findings about it.
    public var path: SpecPath { node.path }

    public func has(_ app: App) -> Bool { node.apps.contains(app) }

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
    public var sshHost: String { lan?.address.description ?? node.tailnetHostname }
    /// `user@host` for ssh, scp and rsync to the node.
    public var sshTarget: String { "\(node.user)@\(sshHost)" }
    /// Whether some address of this node is `address`.
    public func owns(_ address: String) -> Bool { interfaces.contains { $0.address.description == address } }

    /// The secret file that defines `variable` on this node, if any.
    public func secretFile(defining variable: String) -> SecretFile? {
        secretFiles.first { $0.variables.contains(variable) }
    }

    /// An absolute path on this node for a path the topology wrote.
    public func absolute(_ path: NodePath) -> String { path.absolute(home: node.home) }
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
        /// The app's LiteLLM virtual key, minted from the running LiteLLM with the master key.
        case virtualKey(app: String)
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

    public init(path: String, variables: [String], readers: [String], source: Source, group: String? = nil) {
        self.path = path
        self.variables = variables
        self.readers = readers
        self.source = source
        self.group = group
    }

    /// The file's mode, as `chmod` takes it.
    public var mode: String { group == nil ? "0600" : "0640" }

    /// The app whose LiteLLM virtual key the file holds, if it holds one.
    public var virtualKeyFor: String? {
        if case .virtualKey(let app) = source { return app }
        return nil
    }
}

/// A node's part in a model cluster.
public struct ClusterRole: Sendable {
    public enum Kind: String, Sendable { case head, worker }
    public let kind: Kind
    public let cluster: ClusterPlan
}
