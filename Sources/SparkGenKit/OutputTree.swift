import SparkEmit

/// The files of an output directory: the artifacts plus the marker that says spark-gen owns it.
public enum OutputTree {
    /// spark-gen replaces only directories that carry this file, so `-o ~` can never wipe a home.
    public static let markerName = ".spark-gen"
    static let markerText = "This directory is written by spark-gen and replaced whole on every build.\n"
    static let marker = Artifact(path: markerName, contents: markerText)

    public static func files(_ artifacts: [Artifact]) -> [Artifact] {
        (artifacts + [marker]).sorted { $0.path < $1.path }
    }

    /// True when `path` is relative, has no empty, `.` or `..` step, and so stays inside the tree.
    public static func isContained(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/") else { return false }
        let steps = path.split(separator: "/", omittingEmptySubsequences: false)
        return !steps.contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }
}
