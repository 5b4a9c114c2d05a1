import SparkDiagnostics
import SparkSpec

/// A process the stack runs on a node, as data: the image, what it is given, and which runner
/// starts it. Kinds append workloads to the Plan; emitters render them by runner.
public struct Workload: Sendable {
    /// What starts the workload.
    public enum Runner: Sendable {
        /// A service of the node's compose.yaml (host network, no published ports).
        case compose
    }

    /// The service and container name.
    public let name: String
    public let image: String
    public let runner: Runner
    /// Arguments after the image's entrypoint; empty keeps the image's own command.
    public let command: [String]
    /// Environment variables, in the order they are written.
    public let environment: [(name: String, value: String)]
    /// Secret files loaded into the environment, by absolute path on the node.
    public var environmentFiles: [String]
    /// What the container mounts, named volumes and paths of the node alike.
    public let mounts: [Mount]
    /// Replaces the image's entrypoint when set, for images whose entrypoint differs by vendor.
    public let entrypoint: [String]?
    /// The node's GPUs, given to the container the way their vendor's runtime wants; nil for none.
    public let gpus: Hardware.GPUVendor?
    /// The GPUs by index, or nil for all of the node's.
    public let gpuIDs: [Int]?
    /// The same GPUs by NVIDIA UUID, which the device request names instead of the indices.
    public var gpuUUIDs: [String]? = nil
    /// Shares the host's IPC namespace (vLLM's workers exchange tensors through shared memory).
    public let hostIPC: Bool
    /// Capabilities kept after dropping all of Docker's defaults; nil keeps Docker's defaults.
    public var capabilities: [String]? = nil
    /// Refuses the container's processes any privilege a setuid program would give.
    public var noNewPrivileges = false
    /// Services of the same compose file started before this one (after a reboot too).
    public let dependsOn: [String]
    /// Started only on request (`docker compose --profile manual up -d NAME`), never by `up -d`.
    public let manualStart: Bool
    /// The command Docker runs to tell the container is healthy, replacing the image's own
    /// `HEALTHCHECK` where that probes the wrong place; nil keeps the image's.
    public let healthcheck: [String]?
    /// The topology entry the workload comes from.
    public let path: SpecPath

    public init(
        name: String, image: String, runner: Runner = .compose, command: [String] = [], environment: [(name: String, value: String)] = [],
        environmentFiles: [String] = [], mounts: [Mount] = [], entrypoint: [String]? = nil, gpus: Hardware.GPUVendor? = nil,
        gpuIDs: [Int]? = nil, hostIPC: Bool = false, manualStart: Bool = false, dependsOn: [String] = [], healthcheck: [String]? = nil,
        path: SpecPath
    ) {
        self.healthcheck = healthcheck
        self.dependsOn = dependsOn
        self.gpuIDs = gpuIDs
        self.name = name
        self.image = image
        self.runner = runner
        self.command = command
        self.environment = environment
        self.environmentFiles = environmentFiles
        self.mounts = mounts
        self.entrypoint = entrypoint
        self.gpus = gpus == Hardware.GPUVendor.none ? nil : gpus
        self.hostIPC = hostIPC
        self.manualStart = manualStart
        self.path = path
    }

    /// The script on each node with workloads that waits until one answers, and stops early
    /// when its container dies at start (SparkEmit's WaitReadyEmitter writes it).
    public static let waitReadyScript = "scripts/wait-ready.sh"

    /// The compose profile of workloads that `up -d` leaves stopped.
    public static let manualProfile = "manual"

    /// The named volumes among the mounts' sources, which the runner declares.
    public var namedVolumes: [String] { mounts.compactMap(\.volumeName) }
}

extension App {
    /// The app's container, named as the hand-written guide named them.
    public var containerName: String { rawValue }
}
