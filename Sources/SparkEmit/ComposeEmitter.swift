import SparkPlan
import SparkSpec
import SparkYAML

/// `compose.yaml` for each node's compose workloads, whatever app they come from.
///
/// Every service uses the host network and binds where its workload says (127.0.0.1 unless
/// the topology says otherwise): a Docker-published port is DNAT'ed before ufw's INPUT chain
/// sees it, so `-p 8080:8080` would open the app to the mgmt LAN whatever the firewall says.
/// With no published ports nothing bypasses ufw, and no Docker Engine version (before or
/// after 28's loopback hardening) matters.
struct ComposeEmitter {
    static let fileName = "compose.yaml"

    func artifacts(for plan: Plan) throws -> [Artifact] {
        try plan.nodes.compactMap { node in
            let workloads = node.workloads.filter { $0.runner == .compose }
            guard !workloads.isEmpty else { return nil }
            // NVIDIA's NIMs bind every address whatever they are told; the rest is kept on loopback.
            let wildcard = node.services.filter { service in
                service.bindsEveryAddress && workloads.contains { if case .app(let app) = service.role { return $0.name == app } else { return false } }
            }.map(\.name)
            let about =
                wildcard.isEmpty
                ? [
                    "Apps of owner '\(node.owner.name)'. Host network, loopback listeners, no published ports:",
                    "tailnet users reach them through 'tailscale serve' (scripts/tailscale-up.sh).",
                ]
                : [
                    "Apps of owner '\(node.owner.name)'. Host network, no published ports. \(wildcard.joined(separator: ", ")) bind",
                    "every address (their images allow no other): ufw and the tailnet policy decide who reaches them.",
                ]
            let header = Header(
                plan, node: node.name,
                about: about + [
                    "Start: docker compose -f \(Layout.stackPath(node, Self.fileName)) up -d"
                ])
            // The direct writer, unless a value is one it leaves to libyaml.
            let body = try ComposeWriter.body(workloads) ?? Self.emittedBody(workloads)
            // It names the secret files the containers load: readable by the stack's user only.
            return Artifact(path: Layout.stackFile(node, Self.fileName), contents: header.comment() + body, mode: .privateFile)
                .marked { marks in marks.entries(of: "services:", workloads.map { [$0.path] }) }
        }
    }

    /// `services:` and `volumes:` as a `YAMLValue` tree written by `YAMLEmitter`: the
    /// reference `ComposeWriter` matches byte for byte, and what writes the files it cannot.
    static func emittedBody(_ workloads: [Workload]) throws -> String {
        let services: [(String, YAMLValue)] = workloads.map { ($0.name, service($0)) }
        let volumes: [(String, YAMLValue)] = workloads.flatMap(\.namedVolumes).map { ($0, .mapping([("name", .string($0))])) }
        var document: [(String, YAMLValue)] = [("services", .mapping(services))]
        if !volumes.isEmpty { document.append(("volumes", .mapping(volumes))) }
        return try YAMLEmitter.emit(.mapping(document))
    }

    /// One service: always restarted, on the host network, under its own container name.
    private static func service(_ workload: Workload) -> YAMLValue {
        var fields: [(String, YAMLValue)] = [
            ("image", .string(workload.image)),
            ("container_name", .string(workload.name)),
            ("restart", "unless-stopped"),
            ("network_mode", "host"),
        ]
        if !workload.dependsOn.isEmpty { fields.append(("depends_on", .sequence(workload.dependsOn.map { .string($0) }))) }
        if workload.manualStart {
            // `docker compose up -d` leaves it stopped; the runbook says how to start it.
            fields.append(("profiles", .sequence([.string(Workload.manualProfile)])))
        }
        if workload.hostIPC { fields.append(("ipc", "host")) }
        if let kept = workload.capabilities {
            fields.append(("cap_drop", .sequence(["ALL"])))
            if !kept.isEmpty { fields.append(("cap_add", .sequence(kept.map { .string($0) }))) }
        }
        if workload.noNewPrivileges { fields.append(("security_opt", .sequence(["no-new-privileges:true"]))) }
        switch workload.gpus {
        case .nvidia?:
            // The NVIDIA container toolkit's device request, as `docker run --gpus all` makes it.
            // Some GPUs by index, or all of them.
            // Some GPUs by UUID (which survive a change in the cards' order) or index, or all of them.
            let ids = workload.gpuUUIDs ?? workload.gpuIDs?.map(String.init)
            let which: (String, YAMLValue) = ids.map { ("device_ids", .sequence($0.map { .string($0) })) } ?? ("count", "all")
            let device: YAMLValue = .mapping([("driver", "nvidia"), which, ("capabilities", .sequence(["gpu"]))])
            fields.append(("deploy", .mapping([("resources", .mapping([("reservations", .mapping([("devices", .sequence([device]))]))]))])))
        case .amd?:
            // ROCm's compute interface and the render nodes (Vulkan uses the latter); the
            // containers run as root, so no group needs adding.
            fields.append(("devices", .sequence(["/dev/kfd", "/dev/dri"])))
        case .none?, nil:
            break
        }
        if let entrypoint = workload.entrypoint { fields.append(("entrypoint", .sequence(entrypoint.map { .string($0) }))) }
        if !workload.command.isEmpty { fields.append(("command", .sequence(workload.command.map { .string($0) }))) }
        if !workload.environmentFiles.isEmpty { fields.append(("env_file", .sequence(workload.environmentFiles.map { .string($0) }))) }
        var environment = workload.environment
        if workload.gpus == .amd, let ids = workload.gpuIDs {
            // ROCm's own selection: every device node stays visible, the runtime uses these.
            environment.append(("ROCR_VISIBLE_DEVICES", ids.map(String.init).joined(separator: ",")))
        }
        if !environment.isEmpty {
            fields.append(("environment", .mapping(environment.map { ($0.name, .string($0.value)) })))
        }
        if !workload.mounts.isEmpty { fields.append(("volumes", .sequence(workload.mounts.map { .string(Self.shortSyntax($0)) }))) }
        if let test = workload.healthcheck { fields.append(("healthcheck", .mapping([("test", .sequence(test.map { .string($0) }))]))) }
        return .mapping(fields)
    }

    /// Compose's short syntax, `SOURCE:TARGET[:ro]`: the one place a mount becomes text.
    static func shortSyntax(_ mount: Mount) -> String {
        let source: String
        switch mount.source {
        case .volume(let name): source = name
        case .bind(let path): source = path
        }
        return "\(source):\(mount.target)" + (mount.readOnly ? ":ro" : "")
    }
}
