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
    /// One pass over the bytes: every file of a build is checked, and splitting each path into
    /// Substrings was 1% of a fleet's build.
    public static func isContained(_ path: String) -> Bool {
        // A step is refused when it is empty or all dots and at most two long.
        var length = 0
        var dots = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                if length == 0 || (dots == length && length <= 2) { return false }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        return !(length == 0 || (dots == length && length <= 2))
    }
}
