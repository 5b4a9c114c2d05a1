import Foundation

/// What the proofs printed, kept for the test command's table: scripts/test.sh sets
/// SPARK_PROOF_REPORT to a directory, the proof tests write each run's output there as
/// `<example>/<checker>.txt`, and proof/report.py prints the per-example table from those
/// files afterwards. The table then comes from the one run the tests made, instead of a
/// second run of every proof (which took as long as the tests themselves).
public enum ProofReport {
    /// Records `output` of `checker` on `example`; does nothing when no report is asked for.
    public static func record(_ output: String, example: String, checker: String) {
        guard let root = ProcessInfo.processInfo.environment["SPARK_PROOF_REPORT"], !root.isEmpty else { return }
        let directory = root + "/" + example
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? output.write(toFile: directory + "/" + checker + ".txt", atomically: true, encoding: .utf8)
    }
}
