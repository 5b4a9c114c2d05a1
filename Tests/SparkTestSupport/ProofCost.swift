import Foundation

/// What one proof cost, recorded for proof/report.py's table of the costliest proofs: its wall
/// time (from its start, after ProofSlots let it in) and its CPU time, user+sys of the proof
/// and of every process it started.
///
/// The CPU time comes from a cgroup of the proof's own when the machine lets the tests make
/// one (cgroup v2's `cpu.stat` usage_usec, else cgroup v1's `cpuacct.usage`): a process stays
/// in its parent's cgroup however it forks, so the daemons a proof starts in its namespaces
/// (ufw's, sshd, Redis, LiteLLM's zygote children, Ray's raylets), double-forked and
/// re-parented or not, are counted. Without one it is the rusage of the proof's waited
/// children (`times` of the shell that starts it): a daemon that outlives its parent, or
/// that no one waits for, is missed, and the record says which measure it is.
///
/// Only when SPARK_PROOF_REPORT names a directory (scripts/test.sh); otherwise a proof
/// starts as before, with nothing in between.
public struct ProofCost: Sendable {
    /// Starts the proof in a cgroup of its own when `$1` can be written, else runs it and
    /// prints `times` (user and sys of the shell, then of its waited children) to `$2`.
    static let launcher = """
        procs=$1 cost=$2; shift 2
        if [ -n "$procs" ] && { echo $$ > "$procs"; } 2>/dev/null; then exec "$@"; fi
        "$@"; status=$?; times > "$cost"; exit $status
        """

    let directory: String
    let label: String
    let cgroup: (path: String, version: Int)?
    let costFile: String
    let started = ContinuousClock.now
    /// When the proof asked for a slot and when it got one, in seconds since the epoch: where
    /// in the run it ran, for report.py's list of the run's last proofs (its tail).
    let queuedAt: Double
    let startedAt = Date().timeIntervalSince1970

    /// A meter recording into `directory`/.cost, or nil when no report is asked for.
    /// `cgroups: false` measures by rusage alone (the fallback, for its test).
    public static func start(
        label: String, reportDirectory: String? = ProcessInfo.processInfo.environment["SPARK_PROOF_REPORT"], cgroups: Bool = true,
        queuedAt: Double = Date().timeIntervalSince1970
    ) -> ProofCost? {
        guard let root = reportDirectory, !root.isEmpty else { return nil }
        let directory = root + "/.cost"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = "spark-proof-\(UUID().uuidString)"
        var cgroup: (String, Int)? = nil
        if cgroups, let (parent, version) = ownCgroup, mkdir(parent + "/" + name, 0o755) == 0 { cgroup = (parent + "/" + name, version) }
        return ProofCost(directory: directory, label: label, cgroup: cgroup, costFile: directory + "/" + name + ".times", queuedAt: queuedAt)
    }

    /// The command that runs `executable` with `arguments` under this meter.
    public func command(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        ("/bin/sh", ["-c", Self.launcher, "sh", cgroup.map { $0.path + "/cgroup.procs" } ?? "", costFile, executable] + arguments)
    }

    /// Reads what the proof cost, records it, and removes its cgroup.
    public func finish() {
        let wall = started.duration(to: .now)
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        var cpu: Double? = nil
        var measure = "none"
        var note = ""
        if let text = try? String(contentsOfFile: costFile, encoding: .utf8) {
            try? FileManager.default.removeItem(atPath: costFile)
            cpu = Self.childTimes(text)
            measure = "rusage"
        }
        if let cgroup {
            if cpu == nil {
                cpu = Self.usage(cgroup.path, version: cgroup.version)
                measure = "cgroup v\(cgroup.version)"
            }
            // A process that has closed its files, or was killed last, may take a moment more to leave
            // the cgroup (swap_check's stubs, stopped at its cleanup, were seen to linger).
            var left = 0
            for attempt in 0..<50 {
                left = ((try? String(contentsOfFile: cgroup.path + "/cgroup.procs", encoding: .utf8)) ?? "").split(separator: "\n").count
                if left == 0 || attempt == 49 { break }
                usleep(20_000)
            }
            if left > 0 {
                // Recorded, then ended: a leftover would go on spending the cores the next proofs
                // wait for, and keep its cgroup. cgroup.kill (v2, Linux 5.14) kills every process
                // in it at once, forks under way included; else each pid listed.
                note = "left \(left) processes running in \(cgroup.path), killed"
                Self.killAll(cgroup.path)
            }
            if rmdir(cgroup.path) != 0 && left > 0 { note = "left \(left) processes running in \(cgroup.path), not killed" }
        }
        let cpuText = cpu.map { String(format: "%.2f", $0) } ?? "-"
        let times = [queuedAt, startedAt].map { String(format: "%.2f", $0) }
        let line = ([cpuText, String(format: "%.2f", wallSeconds), measure, Self.clean(label), note] + times).joined(separator: "\t") + "\n"
        try? line.write(toFile: directory + "/" + UUID().uuidString + ".tsv", atomically: true, encoding: .utf8)
    }

    /// Kills every process in the cgroup at `path` and waits (up to a second) until it is empty.
    static func killAll(_ path: String) {
        if (try? "1".write(toFile: path + "/cgroup.kill", atomically: false, encoding: .utf8)) == nil {
            let pids = ((try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8)) ?? "").split(separator: "\n")
            for pid in pids.compactMap({ pid_t($0) }) { _ = kill(pid, SIGKILL) }
        }
        for _ in 0..<50 {
            let procs = (try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8)) ?? ""
            if procs.isEmpty { return }
            usleep(20_000)
        }
    }

    /// A label on one line of the record.
    static func clean(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0 == "\n" ? " " : $0 })
    }

    /// The children's user+sys from `times` (its second line: "0m1.23s 0m0.45s" in dash,
    /// "0m1.230s 0m0.450s" in bash).
    static func childTimes(_ text: String) -> Double? {
        let lines = text.split(separator: "\n")
        guard lines.count >= 2 else { return nil }
        let fields = lines[1].split(separator: " ").compactMap { field -> Double? in
            guard let m = field.firstIndex(of: "m"), field.hasSuffix("s"), let minutes = Double(field[..<m]),
                let seconds = Double(field[field.index(after: m)..<field.index(before: field.endIndex)])
            else { return nil }
            return minutes * 60 + seconds
        }
        return fields.count == 2 ? fields[0] + fields[1] : nil
    }

    /// The CPU seconds charged to a cgroup: v2's usage_usec, v1's cpuacct.usage (ns).
    static func usage(_ path: String, version: Int) -> Double? {
        if version == 1 {
            return (try? String(contentsOfFile: path + "/cpuacct.usage", encoding: .utf8))
                .flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }.map { $0 / 1e9 }
        }
        let stat = (try? String(contentsOfFile: path + "/cpu.stat", encoding: .utf8)) ?? ""
        for line in stat.split(separator: "\n") where line.hasPrefix("usage_usec ") {
            return Double(line.dropFirst("usage_usec ".count)).map { $0 / 1e6 }
        }
        return nil
    }

    /// The directory of this process's own cgroup where a child cgroup can count CPU time:
    /// cgroup v2's (every v2 cgroup has cpu.stat), else v1's cpuacct; nil when neither is mounted.
    /// Whether a child can be made and joined is found out per proof (mkdir, then the launcher).
    static let ownCgroup: (String, Int)? = {
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let memberships = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        var v2Mount: String? = nil
        var v1Mount: String? = nil
        for line in mounts.split(separator: "\n") {
            // "... MOUNTPOINT OPTIONS - FSTYPE SOURCE SUPEROPTIONS"
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { continue }
            let before = halves[0].split(separator: " "), after = halves[1].split(separator: " ")
            guard before.count >= 5, after.count >= 3 else { continue }
            if after[0] == "cgroup2" { v2Mount = String(before[4]) }
            if after[0] == "cgroup", after[2].split(separator: ",").contains("cpuacct") { v1Mount = String(before[4]) }
        }
        var v2Path: String? = nil
        var v1Path: String? = nil
        for line in memberships.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0" && fields[1].isEmpty { v2Path = String(fields[2]) }
            if fields[1].split(separator: ",").contains("cpuacct") { v1Path = String(fields[2]) }
        }
        if let mount = v2Mount, let path = v2Path { return (mount + (path == "/" ? "" : path), 2) }
        if let mount = v1Mount, let path = v1Path { return (mount + (path == "/" ? "" : path), 1) }
        return nil
    }()
}
