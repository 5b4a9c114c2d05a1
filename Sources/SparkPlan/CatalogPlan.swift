import SparkDiagnostics
import SparkSpec

/// Models that take turns on one head and port, as they will run: which one is active, which
/// may be swapped in, and who reaches the port.
public struct CatalogPlan: Sendable {
    public let name: String
    public let port: Int
    /// The model that runs now.
    public let active: String
    /// Every model of the catalog, in file order, the active one included.
    public let members: [String]
    /// The node whose port every model serves on.
    public let head: String
    /// The host running the spark-control panel, and the LAN it reaches the head over.
    public let panel: HostPlan?
    public let panelLink: String?
    /// Where LAN clients call the panel, which forwards to the models and speech services.
    public internal(set) var panelURL: String?
    /// Where the models' API listens: the head's address on the panel's LAN, else loopback.
    public let apiHost: String
    public let path: SpecPath

    /// The compose-free name the swap script and the panel use for the catalog's listener.
    public var listenerName: String { "vllm catalog \(name)" }
}
