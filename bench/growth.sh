#!/usr/bin/env bash
# Growth check: for every fleet shape of bench/make-fleet.py (each turns up one dimension
# that could hide growth faster than the fleet), lint and build SMALL and 10 × SMALL pairs
# and compare. Ten times the fleet may cost at most 11 times the time and the peak memory,
# for lint and for build; a shape over that fails the run (exit 1). The floors (a static
# Swift hello and `spark-gen --version`) are measured in the same run, so a slow machine
# shows as slow floors, not as a regression. Medians of RUNS runs (default 3); release
# binary with the Swift runtime linked statically; trees on tmpfs (/dev/shm) when there is one.
#   bench/growth.sh [SMALL]      default: 100 (so 100 and 1000 pairs)
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-100}
swift build -c release --static-swift-stdlib >/dev/null
scratch=$(mktemp -d)
trees=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")")
trap 'rm -rf "$scratch" "$trees"' EXIT
printf 'int main(void) { return 0; }\n' > "$scratch/hello.c"
printf 'print("hello")\n' > "$scratch/hello.swift"
swiftc -O -static-stdlib "$scratch/hello.swift" -o "$scratch/hello" 2>/dev/null
shapes=(separate shared apps tailnets models backends all)
for shape in "${shapes[@]}"; do
  for n in "$small" "$((small * 10))"; do
    python3 bench/make-fleet.py "$n" --shape "$shape" > "$scratch/$shape-$n.yaml"
  done
done
python3 - "$scratch" "$trees" "$small" "${RUNS:-3}" "${shapes[@]}" <<'PY'
import os, shutil, statistics, subprocess, sys, time
scratch, trees, small, runs, shapes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
binary = ".build/release/spark-gen"

def measure(command):
    """Median wall time and median peak RSS (the child's own, from wait4) over `runs` runs."""
    times, peaks = [], []
    for _ in range(runs):
        shutil.rmtree(f"{trees}/out", ignore_errors=True)
        start = time.monotonic()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.monotonic() - start)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(command)}")
    return statistics.median(times), statistics.median(peaks)

hello = measure([f"{scratch}/hello"])
version = measure([binary, "--version"])
print(f"floors: static Swift hello {hello[0] * 1000:.1f} ms, spark-gen --version {version[0] * 1000:.1f} ms")
big = small * 10
print(f"{'shape':9s} | {'lint ' + str(small):>10s} {'lint ' + str(big):>10s} {'peak':>7s} {'time':>6s} {'mem':>6s} | "
      f"{'build ' + str(small):>10s} {'build ' + str(big):>10s} {'peak':>7s} {'time':>6s} {'mem':>6s}")
failed = []
for shape in shapes:
    row = f"{shape:9s} |"
    for verb in ("lint", "build"):
        results = []
        for n in (small, big):
            topology = f"{scratch}/{shape}-{n}.yaml"
            command = [binary, "lint", "-q", topology] if verb == "lint" else [binary, "build", topology, "-o", f"{trees}/out"]
            results.append(measure(command))
        (t1, m1), (t2, m2) = results
        time_ratio, memory_ratio = t2 / t1, m2 / m1
        row += f" {t1 * 1000:8.0f}ms {t2 * 1000:8.0f}ms {m2:5.0f}MB {time_ratio:5.1f}x {memory_ratio:5.1f}x |"
        if time_ratio > 11 or memory_ratio > 11:
            failed.append(f"{verb} of shape {shape}: x{time_ratio:.1f} time, x{memory_ratio:.1f} memory for x10 pairs")
    print(row.rstrip(" |"))
shutil.rmtree(f"{trees}/out", ignore_errors=True)
if failed:
    print("grows faster than the fleet:\n  " + "\n  ".join(failed))
    sys.exit(1)
print(f"every shape: ten times the pairs costs at most 11 times the time and memory")
PY
