import SparkDiagnostics
import SparkSpec

/// What one app adds to a node's Plan. Each app is one file in this folder, registered in
/// `AppKinds.all`; emitters render what it adds by runner and never switch on the app.
protocol AppKind: Sendable {
    var app: App { get }
    /// The container the app runs in, or nil for an app spark-gen does not run in a container
    /// (LiteLLM runs under systemd, Hermes Agent from its own installer).
    func workload(_ context: AppContext) -> Workload?
}

/// Everything a kind may read about the app's place in the stack.
struct AppContext {
    let app: App
    let node: Node
    let topology: Topology
    let options: AppOptions?
    /// The node's secret files, for the ones this app reads.
    let secretFiles: [SecretFile]

    /// The address the app binds: the topology's `listen`, or loopback.
    var bind: String { options?.listen?.description ?? PlanResolver.loopback }
    /// The port the app listens on, as text for the environment.
    var port: String { node.port(of: app).map(String.init) ?? "" }
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

/// The registered app kinds.
enum AppKinds {
    static let all: [App: any AppKind] = Dictionary(
        uniqueKeysWithValues: ([LiteLLMDatabaseKind(), OpenWebUIKind(), N8nKind(), HermesWebUIKind()] as [any AppKind]).map { ($0.app, $0) })

    /// The workloads of a node's apps, in the order the topology lists the apps.
    static func workloads(for node: Node, topology: Topology, secretFiles: [SecretFile]) -> [Workload] {
        node.apps.compactMap { app in
            all[app]?.workload(AppContext(app: app, node: node, topology: topology, options: node.appOptions[app], secretFiles: secretFiles))
        }
    }
}
