#!/usr/bin/env bash
# Growth check: for every fleet shape of bench/make-fleet.py (each turns up one dimension
# that could hide growth faster than the fleet), lint and build SMALL and 10 × SMALL pairs
# and compare. Ten times the fleet may cost at most 11 times the time and the peak memory,
# for lint and for build; a shape over that fails the run (exit 1). The floors (a static
# Swift hello and `spark-gen --version`) are measured in the same run, so a slow machine
# shows as slow floors, not as a regression. Medians of RUNS runs (default 3); release
# binary with the Swift runtime linked statically; trees on tmpfs (/dev/shm) when there is one.
# Each cell is wall time, with user CPU time beside it: on a machine others share, wall time
# waits for a core and user time does not. The peer (bench/peer.py: a Jinja2 renderer writing
# the same per-pair files) renders the `all` fleets in the same run, and the last lines hold
# the `all` fleet's 10 × SMALL figures against issue 26's targets (reported, not enforced).
#   bench/growth.sh [SMALL]      default: 100 (so 100 and 1000 pairs)
#   SPARK_GEN=path/to/spark-gen bench/growth.sh    measure that binary instead of building one
#   LINT_ONLY=1 bench/growth.sh  lint only: no build, no peer (minutes instead of most of an hour)
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-100}
if [ -z "${SPARK_GEN:-}" ]; then
  swift build -c release --static-swift-stdlib >/dev/null
fi
binary=${SPARK_GEN:-.build/release/spark-gen}
scratch=$(mktemp -d)
trees=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")")
trap 'rm -rf "$scratch" "$trees"' EXIT
printf 'int main(void) { return 0; }\n' > "$scratch/hello.c"
printf 'print("hello")\n' > "$scratch/hello.swift"
swiftc -O -static-stdlib "$scratch/hello.swift" -o "$scratch/hello" 2>/dev/null
if [ -z "${LINT_ONLY:-}" ]; then python3 bench/peer.py templates "$binary" "$scratch/peer-templates"; fi
shapes=(separate shared apps tailnets models backends all)
for shape in "${shapes[@]}"; do
  for n in "$small" "$((small * 10))"; do
    python3 bench/make-fleet.py "$n" --shape "$shape" > "$scratch/$shape-$n.yaml"
  done
done
LINT_ONLY=${LINT_ONLY:-} python3 - "$binary" "$scratch" "$trees" "$small" "${RUNS:-3}" "${shapes[@]}" <<'PY'
import os, shutil, statistics, subprocess, sys, time
binary, scratch, trees, small, runs, shapes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:]
verbs = ("lint",) if os.environ.get("LINT_ONLY") else ("lint", "build")

def measure(command):
    """Median wall time, median user CPU time and median peak RSS (the child's own, from
    wait4) over `runs` runs."""
    times, users, peaks = [], [], []
    for _ in range(runs):
        shutil.rmtree(f"{trees}/out", ignore_errors=True)
        start = time.monotonic()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.monotonic() - start)
        users.append(usage.ru_utime)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(command)}")
    return statistics.median(times), statistics.median(users), statistics.median(peaks)

def cell(result):
    return f"{result[0] * 1000:7.0f}/{result[1] * 1000:<6.0f}"

hello = measure([f"{scratch}/hello"])
version = measure([binary, "--version"])
print(f"floors: static Swift hello {hello[0] * 1000:.1f} ms ({hello[1] * 1000:.1f} ms user), "
      f"spark-gen --version {version[0] * 1000:.1f} ms ({version[1] * 1000:.1f} ms user)")
load = os.getloadavg()
print(f"load average at the start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores; "
      f"cells are wall/user milliseconds, medians of {runs}")
big = small * 10
print(f"{'shape':9s} | {'lint ' + str(small):>14s} {'lint ' + str(big):>14s} {'peak':>7s} {'time':>6s} {'mem':>6s} | "
      f"{'build ' + str(small):>14s} {'build ' + str(big):>14s} {'peak':>7s} {'time':>6s} {'mem':>6s}")
failed = []
at_big = {}
for shape in shapes:
    row = f"{shape:9s} |"
    for verb in verbs:
        results = []
        for n in (small, big):
            topology = f"{scratch}/{shape}-{n}.yaml"
            command = [binary, "lint", "-q", topology] if verb == "lint" else [binary, "build", topology, "-o", f"{trees}/out"]
            results.append(measure(command))
        (t1, u1, m1), (t2, u2, m2) = results
        at_big[shape, verb] = results[1]
        # User time grows with the work; wall time also with how long the process waited for a core.
        time_ratio, memory_ratio = u2 / max(u1, 0.001), m2 / m1
        row += f" {cell(results[0])} {cell(results[1])} {m2:5.0f}MB {time_ratio:5.1f}x {memory_ratio:5.1f}x |"
        if time_ratio > 11 or memory_ratio > 11:
            failed.append(f"{verb} of shape {shape}: x{time_ratio:.1f} time, x{memory_ratio:.1f} memory for x10 pairs")
    print(row.rstrip(" |"))
if verbs == ("lint",):
    lint = at_big["all", "lint"]
    print(f"target, shape all, {big} pairs: lint {lint[0] * 1000:.0f} ms wall, {lint[1] * 1000:.0f} ms user (under 300 ms)")
    if failed:
        print("grows faster than the fleet:\n  " + "\n  ".join(failed))
        sys.exit(1)
    print("every shape: ten times the pairs costs at most 11 times the lint time and memory")
    sys.exit(0)
peer = [measure(["python3", "bench/peer.py", "render", f"{scratch}/peer-templates", f"{scratch}/all-{n}.yaml", f"{trees}/out"])
        for n in (small, big)]
print(f"{'peer all':9s} | {'':14s} {'':14s} {'':7s} {'':6s} {'':6s} | {cell(peer[0])} {cell(peer[1])} {peer[1][2]:5.0f}MB "
      f"{peer[1][1] / peer[0][1]:5.1f}x {peer[1][2] / peer[0][2]:5.1f}x")
shutil.rmtree(f"{trees}/out", ignore_errors=True)
lint, build = at_big["all", "lint"], at_big["all", "build"]
print(f"targets, shape all, {big} pairs: lint {lint[0] * 1000:.0f} ms wall, {lint[1] * 1000:.0f} ms user (under 300 ms); "
      f"build {build[0]:.2f} s wall, {build[1]:.2f} s user (under 2 s), {build[2]:.0f} MB (under 200 MB)")
if failed:
    print("grows faster than the fleet:\n  " + "\n  ".join(failed))
    sys.exit(1)
print(f"every shape: ten times the pairs costs at most 11 times the time and memory")
PY
