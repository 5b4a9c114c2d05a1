import Foundation
import SparkTestSupport
import Testing

/// The cost records of the proofs (ProofCost) and proof/report.py's table of them.
@Suite struct ProofCostTests {
    /// A stand-in proof: its grandchild, double-forked and never waited for by it, burns CPU
    /// (what a daemon in a proof's namespace does), writes its own user+sys to `$1`, and exits;
    /// the proof itself returns once the grandchild is gone. With `--wait`, the proof's own
    /// child burns the CPU and is waited for.
    static let standIn = """
        import os, sys, time
        out = sys.argv[1]
        def burn():
            while time.process_time() < 0.5:
                pass
            t = os.times()
            open(out + ".part", "w").write(str(t.user + t.system))
            os.rename(out + ".part", out)
            os._exit(0)
        if sys.argv[2:] == ["--wait"]:
            if os.fork() == 0:
                burn()
            os.wait()
            sys.exit(0)
        read, write = os.pipe()
        if os.fork() == 0:
            if os.fork() == 0:
                os.close(read)
                burn()
            os._exit(0)
        os.close(write)
        os.wait()
        os.read(read, 1)  # end of file: the grandchild has exited
        """

    /// Runs the stand-in under a meter; (CPU seconds recorded, measure, the burner's own CPU seconds).
    static func measure(cgroups: Bool, wait: Bool) async throws -> (cpu: Double, measure: String, burned: Double) {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cost = try #require(ProofCost.start(label: "stand-in", reportDirectory: directory, cgroups: cgroups))
        let (executable, arguments) = cost.command(CommandRunner.python3, ["-c", standIn, directory + "/burned"] + (wait ? ["--wait"] : []))
        let result = await CommandRunner.finish(executable, arguments)
        cost.finish()
        try #require(result.status == 0, "\(result.stderr)")
        let burned = try #require(Double(String(contentsOfFile: directory + "/burned", encoding: .utf8)))
        let records = try FileManager.default.contentsOfDirectory(atPath: directory + "/.cost").filter { $0.hasSuffix(".tsv") }
        try #require(records.count == 1, "\(records)")
        let fields = try String(contentsOfFile: directory + "/.cost/" + records[0], encoding: .utf8).split(separator: "\t", omittingEmptySubsequences: false)
        // CPU, wall, measure, label, note, asked for a slot, started (seconds since the epoch).
        try #require(fields.count == 7 && fields[3] == "stand-in", "\(fields)")
        let (asked, started) = (try #require(Double(fields[5])), try #require(Double(fields[6].trimmingCharacters(in: .newlines))))
        try #require(asked <= started && started > 1_700_000_000, "\(fields)")
        return (try #require(Double(fields[0])), String(fields[2]), burned)
    }

    /// In a cgroup of its own the grandchild's CPU is the proof's; by rusage it is missed,
    /// and the record says which measure it took.
    @Test func aDaemonNoOneWaitsForIsCountedByTheCgroup() async throws {
        let cost = try await Self.measure(cgroups: true, wait: false)
        if cost.measure.hasPrefix("cgroup") {
            #expect(cost.cpu >= 0.9 * cost.burned, "\(cost)")
        } else {
            #expect(cost.measure == "rusage" && cost.cpu < cost.burned, "\(cost)")
        }
    }

    @Test func withoutACgroupTheWaitedChildrenAreCounted() async throws {
        let waited = try await Self.measure(cgroups: false, wait: true)
        #expect(waited.measure == "rusage" && waited.cpu >= 0.9 * waited.burned, "\(waited)")
        let daemon = try await Self.measure(cgroups: false, wait: false)
        #expect(daemon.measure == "rusage" && daemon.cpu < daemon.burned, "\(daemon)")
    }

    /// A proof that leaves a daemon running: the record names it, and the cgroup's processes
    /// are killed, so they spend no core the next proofs wait for.
    @Test func whatAProofLeavesRunningIsRecordedAndKilled() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cost = try #require(ProofCost.start(label: "leaves a daemon", reportDirectory: directory))
        // The daemon, double-forked with every inherited file closed (Foundation's Process
        // waits for the end of one it passes), writes its pid and sleeps; the proof returns.
        let daemon = """
            import os, sys, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.closerange(0, 4096)
                    open(sys.argv[1] + ".part", "w").write(str(os.getpid()))
                    os.rename(sys.argv[1] + ".part", sys.argv[1])
                    time.sleep(300)
                os._exit(0)
            os.wait()
            """
        let (executable, arguments) = cost.command(CommandRunner.python3, ["-c", daemon, directory + "/pid"])
        let result = await CommandRunner.finish(executable, arguments)
        try #require(result.status == 0, "\(result.stderr)")
        var pidText = ""
        for _ in 0..<100 where pidText.isEmpty {
            pidText = ((try? String(contentsOfFile: directory + "/pid", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            usleep(20_000)
        }
        let pid = try #require(pid_t(pidText))
        cost.finish()
        let records = try FileManager.default.contentsOfDirectory(atPath: directory + "/.cost").filter { $0.hasSuffix(".tsv") }
        let fields = try String(contentsOfFile: directory + "/.cost/" + #require(records.first), encoding: .utf8)
            .trimmingCharacters(in: .newlines).split(separator: "\t", omittingEmptySubsequences: false)
        if fields[2].hasPrefix("cgroup") {
            #expect(fields[4].hasPrefix("left 1 processes running in ") && fields[4].hasSuffix(", killed"), "\(fields)")
            // Gone, or a zombie its parent (init, or a subreaper) has not reaped yet.
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            #expect(state == nil || state == "Z", "pid \(pid) is \(state.map(String.init) ?? "gone")")
        } else {
            // No cgroup to find it by: nothing is recorded, and the test ends its own daemon.
            #expect(fields[4].isEmpty, "\(fields)")
            kill(pid, SIGKILL)
        }
    }

    /// report.py prints the 15 costliest proofs, costliest first, and the total of all, then
    /// the 8 proofs that ended last, from the first proof's start; the cost records are not an
    /// example of the table.
    @Test func theReportListsTheCostliestProofs() throws {
        let root = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/one-box", withIntermediateDirectories: true)
        try "== one-box: 1 checks in 1 s\n  a.sh  shell  ok\n\nprove: 1 passed, 0 failed\n".write(
            toFile: root + "/one-box/shell.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/.cost", withIntermediateDirectories: true)
        for index in 1...20 {
            // Proof n asks at 1000, starts at 1000 + n and runs 100 + n s: proof 20 ends last, at 139 s.
            try "\(index).00\t\(100 + index).00\tcgroup v2\tproof \(index)\t\t1000.00\t\(1000 + index).00\n".write(
                toFile: root + "/.cost/\(index).tsv", atomically: true, encoding: .utf8)
        }
        let result = CommandRunner.tool("python3", [Fixtures.repositoryRoot + "/proof/report.py", root])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").filter { $0.contains("  cgroup v2  proof ") }
        #expect(rows.count == 15, "\(result.stdout)")
        #expect(rows.first?.hasSuffix("proof 20") == true && rows.last?.hasSuffix("proof 6") == true, "\(result.stdout)")
        #expect(result.stdout.contains("   210.0   2210.0  total of 20 proofs, measured by cgroup v2"), "\(result.stdout)")
        #expect(!result.stdout.contains("== .cost"), "\(result.stdout)")
        let tail = result.stdout.components(separatedBy: "== the last 8 proofs to end (seconds from the first proof's start)\n")
        try #require(tail.count == 2, "\(result.stdout)")
        let last = tail[1].split(separator: "\n").dropFirst().prefix { $0.contains("  proof ") }.map(String.init)
        #expect(last.count == 8 && last.first == "   -1.0    19.0   139.0    20.0  proof 20" && last.last?.hasSuffix("proof 13") == true, "\(last)")
    }
}
