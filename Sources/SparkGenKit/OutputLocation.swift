#if canImport(Glibc)
    import Glibc
#endif

/// Where `build` and `diff` look when no directory is given: `out/<example name>`.
public enum OutputLocation {
    /// `examples/split-trust/topology.yaml` → `out/split-trust`; `lab.yaml` → `out/lab`. A file
    /// named `topology.yaml` is named after its directory however the path is spelled, so
    /// `topology.yaml`, `./topology.yaml` and `../lab/topology.yaml` from inside `lab` agree.
    public static func defaultDirectory(for topology: String) -> String {
        let parts = absoluteComponents(topology)
        let file = parts.last ?? topology
        let stem = file.hasSuffix(".yaml") ? String(file.dropLast(5)) : file.hasSuffix(".yml") ? String(file.dropLast(4)) : file
        if stem == "topology", parts.count >= 2 {
            return "out/\(parts[parts.count - 2])"
        }
        return "out/\(stem)"
    }

    /// The path's components from the root, with `.` and `..` resolved by name (not by links).
    static func absoluteComponents(_ path: String) -> [String] {
        var components: [String] = []
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if getcwd(&buffer, buffer.count) != nil {
                let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                components = String(decoding: bytes, as: UTF8.self).split(separator: "/").map(String.init)
            }
        }
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(String(part))
            }
        }
        return components
    }
}
