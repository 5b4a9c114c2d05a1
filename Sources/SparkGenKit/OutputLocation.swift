/// Where `build` and `diff` look when no directory is given: `out/<example name>`.
public enum OutputLocation {
    /// `examples/split-trust/topology.yaml` → `out/split-trust`; `lab.yaml` → `out/lab`.
    public static func defaultDirectory(for topology: String) -> String {
        let parts = topology.split(separator: "/").map(String.init)
        let file = parts.last ?? topology
        let stem = file.hasSuffix(".yaml") ? String(file.dropLast(5)) : file.hasSuffix(".yml") ? String(file.dropLast(4)) : file
        if stem == "topology", parts.count >= 2 {
            return "out/\(parts[parts.count - 2])"
        }
        return "out/\(stem)"
    }
}
