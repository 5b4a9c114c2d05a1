import SparkDiagnostics
import SparkSpec

/// What one app adds to a node's Plan. Each app is one file in this folder, registered in
/// `AppKinds.all`; emitters render what it adds by runner and never switch on the app.
protocol AppKind: Sendable {
    var app: App { get }
    /// The words prose names the app by ("LiteLLM", "NGINX"): only its kind and its planner
    /// may write them, and a source scan keeps them out of the runbook and verify emitters.
    var names: [String] { get }
    /// The container the app runs in, or nil for an app spark-gen does not run in a container
    /// (LiteLLM runs under systemd, Hermes Agent from its own installer).
    func workload(_ context: AppContext) -> Workload?
    /// Every container the app runs as, in the order compose lists them: by default the one
    /// `workload` gives. An app of several (a web service, its worker, their database and
    /// cache) returns them all here.
    func workloads(_ context: AppContext) -> [Workload]
    /// The files the app reads from the stack directory, which spark-gen writes; none by default.
    func configFiles(_ context: AppContext) -> [ConfigFile]
    /// What listens for the app; the firewall, the tailnet policy, verify.sh and the trust
    /// model cover it with no rule of their own.
    func listeners(_ context: AppContext) -> [Service]
    /// Who reaches the app's port: by default the owner's tailnet for a tailnet-facing app.
    func exposure(_ context: AppContext) -> Service.Exposure
    /// The secrets the app reads, by reference.
    func secrets(_ context: AppContext) -> [SecretPlacement]
    /// What the operator does for the app beyond starting it, and what verify.sh checks of it.
    func operations(_ context: AppContext) -> AppOperations
}

/// A secret an app needs on its node: where it is, which variables the file defines, who reads
/// it and where its values come from. Two placements of one file become one `SecretFile`.
struct SecretPlacement {
    let secret: SecretRef
    let variables: [String]
    let readers: [String]
    var source: SecretFile.Source = .generated
    /// A group that reads the file besides root (0640 root:GROUP), instead of the user alone (0600).
    var group: String? = nil
    /// How each variable is made, for a file the app owns (`AppContext.ownSecrets`); empty for
    /// a file the topology names.
    var values: [String: SecretValue] = [:]
}

extension AppKind {
    func workload(_ context: AppContext) -> Workload? { nil }

    func workloads(_ context: AppContext) -> [Workload] { workload(context).map { [$0] } ?? [] }

    func configFiles(_ context: AppContext) -> [ConfigFile] { [] }

    func exposure(_ context: AppContext) -> Service.Exposure { app.isTailnetFacing ? .ownerTailnet : .localOnly }

    /// The app's port, on its bind address, reached as `exposure` says; none for an app without a port.
    func listeners(_ context: AppContext) -> [Service] {
        guard let port = context.node.port(of: app) else { return [] }
        // The port is written on the app's entry, as `{app: {port: N}}` or by default.
        let path =
            context.options.map { $0.port == nil ? $0.path : $0.path / "port" }
            ?? context.node.path / "apps" / (context.node.apps.firstIndex(of: app) ?? 0)
        return [
            Service(
                role: .app(app.rawValue), name: app.rawValue, port: port, bindAddress: context.bind,
                exposure: exposure(context), path: path)
        ]
    }

    func secrets(_ context: AppContext) -> [SecretPlacement] { [] }

    func operations(_ context: AppContext) -> AppOperations { AppOperations() }
}

/// Everything a kind may read about the app's place in the stack.
struct AppContext {
    let app: App
    let options: AppOptions?
    /// The node, its owner and the topology, one box for all of a node's apps: as fields of
    /// the context they were copied into each app's context and again each time the resolver
    /// walked the node's contexts, retaining every field of all three per copy (about 2% of
    /// a fleet's lint).
    private let scope: Scope
    var node: Node { scope.node }
    var owner: Owner { scope.owner }
    var topology: Topology { scope.topology }

    final class Scope {
        let node: Node
        let owner: Owner
        let topology: Topology
        init(node: Node, owner: Owner, topology: Topology) {
            self.node = node
            self.owner = owner
            self.topology = topology
        }
    }

    init(app: App, scope: Scope, options: AppOptions?) {
        self.app = app
        self.scope = scope
        self.options = options
    }

    /// The group that reads the app's secret files besides root when LiteLLM runs in compose,
    /// since `docker compose` reads env files as whoever runs it; nil for files of the user alone.
    var composeReaderGroup: String? { Self.composeReaderGroup(of: node) }
    static func composeReaderGroup(of node: Node) -> String? { node.appOptions[.litellm]?.runner == .compose ? "docker" : nil }
    /// The address the app binds: the topology's `listen`, or loopback.
    var bind: String {
        if app == .litellm, options?.listen == nil, OfferPlan.bindsEveryAddress(node, in: topology) { return Service.everyAddress }
        return options?.listen?.description ?? PlanResolver.loopback
    }
    /// The port the app listens on, as text for the environment.
    var port: String { node.port(of: app).map(String.init) ?? "" }
    /// The stack directory on the node.
    var stackDir: String { topology.stack.dir.absolute(home: node.home) }
    /// The image the app runs: the one the topology names, else the default, pinned to the
    /// digest the topology gives.
    func image(default fallback: String) -> String {
        if let image = options?.image { return image }
        guard let digest = options?.digest, !fallback.contains("@") else { return fallback }
        return fallback + "@" + digest
    }

    /// Where the entry that declares the app is written.
    var path: SpecPath { options?.path ?? node.path / "apps" }

    /// The LiteLLM an app calls: its own node's on loopback, or another node's by tailnet name.
    var litellmURL: String {
        guard let target = options?.litellm, target != node.name, let other = topology.node(named: target) else {
            return "http://\(PlanResolver.loopback):\(node.port(of: .litellm) ?? App.litellm.port!)/v1"
        }
        return "http://\(other.tailnetHostname):\(other.port(of: .litellm) ?? App.litellm.port!)/v1"
    }
}

/// The registered app kinds: one case each, so a new app does not compile until it has a kind,
/// and no lookup can miss.
enum AppKinds {
    static func kind(_ app: App) -> any AppKind {
        switch app {
        case .litellm: return LiteLLMKind()
        case .litellmDB: return LiteLLMDatabaseKind()
        case .openWebUI: return OpenWebUIKind()
        case .n8n: return N8nKind()
        case .hermes: return HermesKind()
        case .hermesWebUI: return HermesWebUIKind()
        case .redis: return RedisKind()
        case .nginx: return NginxKind()
        case .parakeet, .magpie: return SpeechKind(app: app)
        }
    }

    /// The words prose names `app` by, as its kind declares them.
    static func names(_ app: App) -> [String] { kind(app).names }

    /// The kind of each of a node's apps with the context it lowers in, in the order the
    /// topology lists the apps.
    static func lowering(
        _ node: Node, owner: Owner, topology: Topology, kinds kind: (App) -> any AppKind = AppKinds.kind
    ) -> [(kind: any AppKind, context: AppContext)] {
        let scope = AppContext.Scope(node: node, owner: owner, topology: topology)
        return node.apps.map { app in
            (kind(app), AppContext(app: app, scope: scope, options: node.appOptions[app]))
        }
    }
}

extension App {
    /// The name prose gives the app, as its kind declares it first ("LiteLLM", "Open WebUI"):
    /// the reports outside the kinds (trust, review) take it from here and never spell it.
    public var proseName: String { AppKinds.names(self).first ?? rawValue }
}
