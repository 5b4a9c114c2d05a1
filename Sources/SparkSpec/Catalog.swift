import SparkDiagnostics

/// Models that take turns on one cluster: they share a port and its memory, and exactly one,
/// the active one, runs at a time. A swap stops it and starts another (spark-control's
/// catalog, document 002).
public struct Catalog: Sendable {
    public var name: String
    /// The port every model of the catalog serves on, so callers never learn which one runs.
    public var port: Int
    /// The model that runs now: started by the runbook, and the one clients are told of.
    public var active: String
    /// The host that runs the spark-control panel for the catalog, if any: it swaps models over
    /// ssh and reads the catalog's API, so it alone of the LAN reaches the model port.
    public var panel: String?
    /// Where LAN clients call the panel (document 002's newest change: chat completions and audio
    /// through it), which endpoints.json advertises instead of the nodes' ports.
    public var panelURL: String?
    public var path: SpecPath

    public init(name: String, port: Int, active: String, panel: String?, path: SpecPath) {
        self.name = name
        self.port = port
        self.active = active
        self.panel = panel
        self.path = path
    }
}

extension Catalog {
    /// The port spark-vllm-docker's launch-cluster.sh serves on, which spark-control polls.
    public static let defaultPort = 8888
}
