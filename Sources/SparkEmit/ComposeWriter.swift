import SparkPlan
import SparkSpec
import SparkYAML

/// Writes compose.yaml's fixed shape as text directly, the bytes `YAMLEmitter` writes for the
/// same `YAMLValue` tree (`ComposeEmitter.service`), without building the tree or sending
/// libyaml an event per scalar: that was most of the compose files' cost in a large build.
///
/// Which style a scalar is asked for is `YAMLEmitter.style(of:)`, the emitter's own decision.
/// Where the emitter leaves the choice to libyaml, this writer writes only what libyaml
/// writes plain in block context (its `yaml_emitter_analyze_scalar`, libyaml 0.2.5); a scalar
/// it is not sure of (quotes libyaml would choose, a line feed, an empty list, a key libyaml
/// would not write as a simple key) makes `body` return nil, and the emitter builds the tree
/// instead. So the writer is never the only judge of an awkward value.
struct ComposeWriter {
    private(set) var text = ""
    /// False once a value came that this writer does not know to write as libyaml would.
    private(set) var exact = true

    /// The YAML of `services:` and `volumes:`, or nil where the general emitter must write it.
    static func body(_ workloads: [Workload]) -> String? {
        var writer = ComposeWriter()
        writer.text.reserveCapacity(1024 * workloads.count)
        writer.text += "services:\n"
        for workload in workloads {
            writer.service(workload)
            if !writer.exact { return nil }
        }
        var first = true
        for workload in workloads {
            for name in workload.namedVolumes {
                if first { writer.text += "volumes:\n" }
                first = false
                writer.key(name, indent: 1)
                writer.field("name", name, indent: 2)
            }
        }
        return writer.exact ? writer.text : nil
    }

    /// One service, in `ComposeEmitter.service`'s order of fields.
    private mutating func service(_ workload: Workload) {
        key(workload.name, indent: 1)
        field("image", workload.image, indent: 2)
        field("container_name", workload.name, indent: 2)
        text += "    restart: unless-stopped\n    network_mode: host\n"
        if !workload.dependsOn.isEmpty { sequence("depends_on", workload.dependsOn, indent: 2) }
        if workload.manualStart { sequence("profiles", [Workload.manualProfile], indent: 2) }
        if workload.hostIPC { text += "    ipc: host\n" }
        if let kept = workload.capabilities {
            text += "    cap_drop:\n    - ALL\n"
            if !kept.isEmpty { sequence("cap_add", kept, indent: 2) }
        }
        if workload.noNewPrivileges { text += "    security_opt:\n    - no-new-privileges:true\n" }
        switch workload.gpus {
        case .nvidia?:
            text += "    deploy:\n      resources:\n        reservations:\n          devices:\n          - driver: nvidia\n"
            if let ids = workload.gpuUUIDs ?? workload.gpuIDs?.map(String.init) {
                sequence("device_ids", ids, indent: 6)
            } else {
                text += "            count: all\n"
            }
            text += "            capabilities:\n            - gpu\n"
        case .amd?:
            text += "    devices:\n    - /dev/kfd\n    - /dev/dri\n"
        case .none?, nil:
            break
        }
        if let entrypoint = workload.entrypoint { sequence("entrypoint", entrypoint, indent: 2) }
        if !workload.command.isEmpty { sequence("command", workload.command, indent: 2) }
        if !workload.environmentFiles.isEmpty { sequence("env_file", workload.environmentFiles, indent: 2) }
        var rocm: String?
        if workload.gpus == .amd, let ids = workload.gpuIDs { rocm = ids.map(String.init).joined(separator: ",") }
        if !workload.environment.isEmpty || rocm != nil {
            text += "    environment:\n"
            for (name, value) in workload.environment { field(name, value, indent: 3) }
            if let rocm { field("ROCR_VISIBLE_DEVICES", rocm, indent: 3) }
        }
        if !workload.mounts.isEmpty {
            text += "    volumes:\n"
            for mount in workload.mounts {
                text += "    - "
                scalar(ComposeEmitter.shortSyntax(mount))
                text += "\n"
            }
        }
        if let test = workload.healthcheck {
            text += "    healthcheck:\n"
            sequence("test", test, indent: 3)
        }
    }

    private static let indents = (0...8).map { String(repeating: "  ", count: $0) }

    /// `KEY:` on a line of its own, a block collection to follow.
    private mutating func key(_ name: String, indent: Int) {
        text += Self.indents[indent]
        key(name)
        text += ":\n"
    }

    private mutating func field(_ name: String, _ value: String, indent: Int) {
        text += Self.indents[indent]
        key(name)
        text += ": "
        scalar(value)
        text += "\n"
    }

    /// A block sequence under its key: libyaml indents none in a mapping. An empty one
    /// libyaml writes in flow style (`[]`), left to it.
    private mutating func sequence(_ name: String, _ items: [String], indent: Int) {
        guard !items.isEmpty else {
            exact = false
            return
        }
        key(name, indent: indent)
        for item in items {
            text += Self.indents[indent]
            text += "- "
            scalar(item)
            text += "\n"
        }
    }

    /// libyaml writes a key of over 128 bytes as a complex key (`? KEY`).
    private mutating func key(_ name: String) {
        if name.utf8.count > 128 { exact = false }
        scalar(name)
    }

    private mutating func scalar(_ value: String) {
        switch YAMLEmitter.style(of: value) {
        case .doubleQuoted where Self.quotable(value):
            text += "\""
            text += value
            text += "\""
        case .libyamlChoice where Self.plain(value):
            text += value
        default:
            exact = false
        }
    }

    /// Printable ASCII with no `"` or `\`: libyaml's double-quoted form escapes nothing
    /// (the emitter's width is unlimited, so it folds no line either).
    static func quotable(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }

    /// True when libyaml writes this scalar plain in block context, as a value or a simple
    /// key (`yaml_emitter_analyze_scalar`: no block indicator, no leading or trailing space,
    /// only printable characters, no line break). Only printable ASCII is judged; anything
    /// else answers false and goes to libyaml.
    static func plain(_ value: String) -> Bool {
        let bytes = value.utf8
        guard let first = bytes.first, let last = bytes.last, first != 0x20, last != 0x20 else { return false }
        switch first {
        case UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"),
            UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: "?"), UInt8(ascii: ":"):
            return false
        default: break
        }
        if bytes.starts(with: "---".utf8) || bytes.starts(with: "...".utf8) { return false }
        // `-` alone or `- ` at the start, `: ` (a `:` first is refused above) or a final `:`,
        // and ` #` are indicators (`-`, `?` and `:` elsewhere, and `,[]{}`, only in flow context).
        if first == UInt8(ascii: "-") && (bytes.count == 1 || bytes.dropFirst().first == 0x20) { return false }
        if last == UInt8(ascii: ":") { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            guard byte >= 0x20 && byte <= 0x7E else { return false }
            if byte == 0x20 && previous == UInt8(ascii: ":") { return false }
            if byte == UInt8(ascii: "#") && previous == 0x20 { return false }
            previous = byte
        }
        return true
    }
}
