import SparkDiagnostics
import SparkSpec

/// Parakeet (speech-to-text) or Magpie (text-to-speech) as NVIDIA's Speech NIM, beside a
/// catalog's models (document 002). Facts from NVIDIA's Speech NIM docs: both answer HTTP on
/// NIM_HTTP_API_PORT and gRPC on NIM_GRPC_API_PORT (9000 and 50051 unless told), bind every
/// address, run as uid 1000 and keep the models they pull with NGC_API_KEY in /opt/nim/.cache,
/// which must be writable by that user (the crash 002 fixed by chowning the volume to 1000).
struct SpeechKind: AppKind {
    let app: App
    var names: [String] { [app == .parakeet ? "Parakeet" : "Magpie", "NIM"] }

    var nim: SpeechNIM { SpeechNIM.of(app)! }

    func workload(_ context: AppContext) -> Workload? {
        Workload(
            name: app.containerName, image: context.image(default: nim.image),
            environment: [
                ("NIM_HTTP_API_PORT", context.port), ("NIM_GRPC_API_PORT", String(nim.grpcPort)), ("NIM_TAGS_SELECTOR", nim.tags),
            ],
            environmentFiles: context.owner.ngcAPIKey.map { [$0.file.absolute(home: context.node.home)] } ?? [],
            mounts: [.bind(SpeechNIM.cacheDirectory(app, home: context.node.home), at: SpeechNIM.cacheInContainer)],
            gpus: context.node.hardware.gpuVendor, hostIPC: true, path: context.path)
    }

    /// HTTP for the clients; gRPC and Triton's own ports for nobody. All bind every address of the
    /// host network, so ufw and the tailnet policy decide who reaches them, and the port rule sees
    /// two NIMs on one node (or a NIM beside a vLLM on 8000) claim Triton's ports twice.
    func listeners(_ context: AppContext) -> [Service] {
        guard let port = context.node.port(of: app) else { return [] }
        let path = context.options.map { $0.port == nil ? $0.path : $0.path / "port" } ?? context.path
        let entry = context.options?.path ?? context.path
        var services = [
            Service(
                role: .app(app.rawValue), name: app.rawValue, port: port, bindAddress: Service.everyAddress, exposure: exposure(context), path: path,
                readinessPath: SpeechNIM.readinessPath),
            Service(
                role: .app(app.rawValue), name: "\(app.rawValue) grpc", port: nim.grpcPort, bindAddress: Service.everyAddress, exposure: .localOnly, path: entry
            ),
        ]
        for triton in SpeechNIM.tritonPorts {
            services.append(
                Service(
                    role: .app(app.rawValue), name: "\(app.rawValue) triton", port: triton, bindAddress: Service.everyAddress, exposure: .localOnly, path: entry
                ))
        }
        return services
    }

    /// The named clients, or the panels of the catalogs the node serves, from the LAN they share with it.
    func exposure(_ context: AppContext) -> Service.Exposure {
        let clients = Self.clients(context.node, options: context.options, topology: context.topology)
        guard !clients.isEmpty, let link = Self.sharedLAN(context.node, clients: clients, topology: context.topology) else { return .localOnly }
        return .hosts(link: link, clients)
    }

    /// The NIM runs as uid 1000 and writes its model to its cache: a folder Docker makes is
    /// root's, and the container then crashes at start (document 002's Magpie fix). It pulls
    /// from nvcr.io with the NGC key, and a first start takes up to half an hour.
    func operations(_ context: AppContext) -> AppOperations {
        let node = context.node
        var operations = AppOperations()
        let uid = SpeechNIM.containerUID
        operations.beforeStart = [.init("sudo install -d -o \(uid) -g \(uid) \(SpeechNIM.cacheDirectory(app, home: node.home))")]
        if let key = context.owner.ngcAPIKey {
            let file = key.file.absolute(home: node.home)
            operations.beforeStart.append(
                .init(
                    "grep -m1 '^\(key.variable)=' \(file) | cut -d= -f2- | docker login nvcr.io --username \\$oauthtoken --password-stdin", reads: [file]))
        }
        // Pulled right after the login it needs, before the half-hour wait below: a missing tag
        // fails here (the runbook's Images step pulls every other image).
        let image = context.options?.image ?? nim.image
        operations.beforeStart.append(.init("docker pull \(image)"))
        operations.pulledByItself = [image]
        if let port = node.port(of: app) {
            // A first start pulls and optimises the model: up to half an hour, unless it dies at
            // start (a root-owned cache), which the wait shows at once with the container's log.
            let script = "\(context.stackDir)/\(Workload.waitReadyScript)"
            operations.afterStart = [
                .init(
                    "\(script) \(app.containerName) http://\(PlanResolver.loopback):\(port)\(SpeechNIM.readinessPath) 1800", reads: [script])
            ]
        }
        operations.notes = [
            "The NIMs pull their images from nvcr.io and their models from NGC with the key; `docker login` keeps it in "
                + "`~/.docker/config.json`, so run `docker logout nvcr.io` once they are up if you would rather not keep it there "
                + "(a restart needs no pull). A first start takes up to half an hour. They run as uid \(uid), which must "
                + "own their caches: the crash a Magpie with a root-owned cache has at start."
        ]
        // Against spark-control's own setup, which publishes the NIMs' ports on the LAN.
        operations.catalogDifferences = [
            "The speech NIM uses the host network instead of a published port (Docker DNATs those before ufw's INPUT chain, "
                + "so the whole LAN would reach it), on the NIMs' own port 9000, one per node: its Triton takes 8000 to 8002 too. "
                + "Its cache belongs to uid \(uid), the user it runs as."
        ]
        return operations
    }

    func secrets(_ context: AppContext) -> [SecretPlacement] {
        guard let key = context.owner.ngcAPIKey else { return [] }
        return [
            SecretPlacement(
                secret: key, variables: [key.variable], readers: [app.rawValue],
                source: .entered(prompt: "NGC API key (ngc.nvidia.com, Setup, Generate API Key)"), group: context.composeReaderGroup)
        ]
    }

    /// The hosts a speech service admits: as the topology names them, or every catalog panel
    /// whose models run on the node.
    static func clients(_ node: Node, options: AppOptions?, topology: Topology) -> [String] {
        if let clients = options?.clients { return clients }
        var panels: [String] = []
        for catalog in topology.catalogs {
            guard let panel = catalog.panel, !panels.contains(panel) else { continue }
            let serves = topology.models.contains { model in
                model.catalog == catalog.name && (model.cluster.head == node.name || model.cluster.workers.contains(node.name))
            }
            if serves { panels.append(panel) }
        }
        return panels
    }

    /// The first LAN of the node that every client is on.
    static func sharedLAN(_ node: Node, clients: [String], topology: Topology) -> String? {
        node.addresses.first { address in
            topology.link(named: address.link)?.kind == .lan
                && clients.allSatisfy { topology.host(named: $0)?.address(on: address.link) != nil }
        }?.link
    }
}
