#!/usr/bin/env python3
"""The growth check behind bench/growth.sh: instructions and peak memory decide, time reports.

  bench/growth.py BINARY SMALL [--shapes a,b,...] [--lint-only] [--no-peer] [--keep DIR]

For every fleet shape of bench/make-fleet.py, lint and build SMALL and 10 x SMALL pairs.
Ten times the pairs may cost at most 11 times the instructions and 11 times the peak memory,
for lint and for build; a shape over either fails the run (exit 1).

Why instructions: on a shared 2-core machine one run's user time moves by 20-40% (the same
binary linted one fleet in 1.13-1.56 s user on a quiet machine), so a ratio of two user
times moves by 2-4 and half the cells of a time-based check read over 11 x with no growth
at all. Valgrind's count of the instructions a run executes does not depend on the load.
Cachegrind with its cache and branch simulation off counts them at about 40 x native user
time, under half of callgrind's cost and faster than exp-bbv and lackey (cachegrind and
callgrind count the same instructions within 0.2%), and it keeps a per-function profile
(`--keep DIR`, read with cg_annotate) to compare the two sizes when a shape fails.
SWIFT_DETERMINISTIC_HASHING=1 fixes Swift's hash seed, so a count repeats run to run (to
within about 100 instructions; 0.05% without it).

Peak memory is the child's own ru_maxrss from wait4, the median of RUNS native runs (it
moves by 1.5-5% run to run, against 15-40% for user time). The same native runs give wall and
user time, reported beside the counts and not checked; the peer (bench/peer.py, a Jinja2
renderer writing the same per-pair files) renders the `all` fleets in the same run.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = ("separate", "shared", "apps", "tailnets", "models", "backends", "all", "owners", "crowded", "chains")
LIMIT = 11.0


def command(binary, verb, topology, tree):
    if verb == "lint":
        return [binary, "lint", "-q", topology]
    return [binary, "build", topology, "-o", tree]


def count(binary, verb, topology, tree, keep):
    """Instructions of one run under cachegrind (no cache or branch simulation)."""
    out = os.path.join(keep, os.path.basename(topology)[:-5] + f"-{verb}.cg") if keep else "/dev/null"
    log = tree + ".log"
    environment = dict(os.environ, SWIFT_DETERMINISTIC_HASHING="1")
    subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--branch-sim=no",
                    f"--cachegrind-out-file={out}", f"--log-file={log}"] + command(binary, verb, topology, tree),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, check=True)
    with open(log) as handle:
        found = re.search(r"I\s+refs:\s+([0-9,]+)", handle.read())
    shutil.rmtree(tree, ignore_errors=True)
    os.remove(log)
    if not found:
        sys.exit(f"no instruction count from valgrind for {verb} {topology}")
    return int(found.group(1).replace(",", ""))


def measure(argv, runs, tree):
    """Median wall time, user CPU time and peak RSS (the child's own, from wait4), and the
    tree's size in bytes after the last run (0 for lint)."""
    walls, users, peaks = [], [], []
    for _ in range(runs):
        shutil.rmtree(tree, ignore_errors=True)
        start = time.monotonic()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        walls.append(time.monotonic() - start)
        users.append(usage.ru_utime)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(argv)}")
    size = 0
    for folder, _, files in os.walk(tree):
        size += sum(os.lstat(os.path.join(folder, name)).st_size for name in files)
    shutil.rmtree(tree, ignore_errors=True)
    return statistics.median(walls), statistics.median(users), statistics.median(peaks), size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("small", type=int)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--lint-only", action="store_true")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--hello", help="a static Swift hello, timed as the floor")
    parser.add_argument("--keep", help="keep each run's cachegrind profile here (for cg_annotate)")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")))
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS", str(os.cpu_count() or 1))))
    arguments = parser.parse_args()
    shapes = arguments.shapes.split(",")
    verbs = ("lint",) if arguments.lint_only else ("lint", "build")
    sizes = (arguments.small, 10 * arguments.small)
    if shutil.which("valgrind") is None:
        sys.exit("bench/growth.py needs valgrind (scripts/bootstrap.sh --bench installs it): the check counts instructions")
    if arguments.keep:
        os.makedirs(arguments.keep, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="growth-")
    trees = tempfile.mkdtemp(prefix="growth-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        return run(arguments, shapes, verbs, sizes, scratch, trees)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(trees, ignore_errors=True)


def run(arguments, shapes, verbs, sizes, scratch, trees):
    small, big = sizes
    # Callgrind and cachegrind cannot read the release binary's DWARF; symbols are enough.
    counted = os.path.join(scratch, "spark-gen")
    subprocess.run(["objcopy", "--strip-debug", arguments.binary, counted], check=True)
    for shape in shapes:
        for n in sizes:
            with open(os.path.join(scratch, f"{shape}-{n}.yaml"), "w") as handle:
                subprocess.run([sys.executable, os.path.join(HERE, "make-fleet.py"), str(n), "--shape", shape],
                               stdout=handle, check=True)
    jobs = [(shape, verb, n) for shape in shapes for verb in verbs for n in sizes]
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=arguments.jobs) as pool:
        futures = {job: pool.submit(count, counted, job[1], os.path.join(scratch, f"{job[0]}-{job[2]}.yaml"),
                                    os.path.join(trees, "-".join(map(str, job))), arguments.keep) for job in jobs}
        instructions = {job: future.result() for job, future in futures.items()}
    counting = time.monotonic() - started
    started = time.monotonic()
    native = {job: measure(command(arguments.binary, job[1], os.path.join(scratch, f"{job[0]}-{job[2]}.yaml"),
                                   os.path.join(trees, "out")), arguments.runs, os.path.join(trees, "out"))
              for job in jobs}
    timing = time.monotonic() - started
    load = os.getloadavg()
    print(f"growth check: {small} and {big} pairs; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          f"on {os.cpu_count()} cores; counting {counting:.0f} s, timing {timing:.0f} s (wall)")
    print(f"instructions (cachegrind, millions) and peak RSS (MB, median of {arguments.runs}); "
          f"x = {big} pairs over {small}; at most {LIMIT:g} x passes")
    header = f"{'shape':9s}"
    for verb in verbs:
        header += f" | {verb + ' ' + str(small):>10s} {verb + ' ' + str(big):>11s} {'x':>5s} {'peak':>6s} {'x':>5s}"
    print(header)
    failed = []
    for shape in shapes:
        row = f"{shape:9s}"
        for verb in verbs:
            i1, i2 = instructions[shape, verb, small], instructions[shape, verb, big]
            m1, m2 = native[shape, verb, small][2], native[shape, verb, big][2]
            grow, memory = i2 / i1, m2 / m1
            row += f" | {i1 / 1e6:10.1f} {i2 / 1e6:11.1f} {grow:5.2f} {m2:6.0f} {memory:5.2f}"
            if grow > LIMIT or memory > LIMIT:
                failed.append(f"{verb} of shape {shape}: x{grow:.2f} instructions, x{memory:.2f} peak memory")
        print(row)
    print()
    floors = [("spark-gen --version", [arguments.binary, "--version"])]
    if arguments.hello:
        floors.insert(0, ("static Swift hello", [arguments.hello]))
    print("floors: " + ", ".join(f"{name} {result[0] * 1000:.1f} ms ({result[1] * 1000:.1f} ms user)"
                                 for name, argv in floors for result in [measure(argv, arguments.runs, os.path.join(trees, "out"))]))
    print(f"time (reported, not checked): wall/user ms, medians of {arguments.runs}; "
          f"x = user time {big} over {small}; tree = bytes written {big} over {small}")
    header = f"{'shape':9s}"
    for verb in verbs:
        header += f" | {verb + ' ' + str(small):>13s} {verb + ' ' + str(big):>14s} {'x':>5s}"
    print(header + (f" {'tree':>5s}" if "build" in verbs else ""))
    for shape in shapes:
        row = f"{shape:9s}"
        for verb in verbs:
            (w1, u1, _, s1), (w2, u2, _, s2) = native[shape, verb, small], native[shape, verb, big]
            row += f" | {w1 * 1000:7.0f}/{u1 * 1000:<5.0f} {w2 * 1000:8.0f}/{u2 * 1000:<5.0f} {u2 / max(u1, 0.001):5.1f}"
        if "build" in verbs:
            row += f" {native[shape, 'build', big][3] / max(native[shape, 'build', small][3], 1):5.1f}"
        print(row)
    if "build" in verbs and "all" in shapes and not arguments.no_peer:
        templates = os.path.join(scratch, "peer-templates")
        subprocess.run([sys.executable, os.path.join(HERE, "peer.py"), "templates", arguments.binary, templates],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peer = [measure([sys.executable, os.path.join(HERE, "peer.py"), "render", templates,
                         os.path.join(scratch, f"all-{n}.yaml"), os.path.join(trees, "out")],
                        arguments.runs, os.path.join(trees, "out")) for n in sizes]
        print(f"{'peer all':9s} | {'':13s} {'':14s} {'':5s} | {peer[0][0] * 1000:7.0f}/{peer[0][1] * 1000:<5.0f} "
              f"{peer[1][0] * 1000:8.0f}/{peer[1][1] * 1000:<5.0f} {peer[1][1] / max(peer[0][1], 0.001):5.1f}")
    if "all" in shapes and big == 1000:  # issue 26's targets are for 1000 pairs
        lint = native["all", "lint", big]
        line = f"targets, shape all, {big} pairs: lint {lint[0] * 1000:.0f} ms wall, {lint[1] * 1000:.0f} ms user (under 300 ms)"
        if "build" in verbs:
            build = native["all", "build", big]
            line += (f"; build {build[0]:.2f} s wall, {build[1]:.2f} s user (under 2 s), "
                     f"{build[2]:.0f} MB (under 200 MB)")
        print(line)
    if failed:
        print("grows faster than the fleet:\n  " + "\n  ".join(failed))
        return 1
    print(f"every shape: {big} pairs cost at most {LIMIT:g} x the instructions and peak memory of {small}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
