#!/usr/bin/env bash
# Lint and build time and peak memory on fleets of N split-trust pairs (bench/make-fleet.py):
# each pair on its own direct link, then all pairs on one shared fabric. Release binary; the
# tree is built on tmpfs (/dev/shm) when there is one. Best of 3 runs (1 for 10,000 pairs);
# the growth column compares with the previous size: linear growth keeps it near the ratio.
#   bench/fleet.sh [N ...]      default: 10 100 1000 10000
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib >/dev/null
sizes=("$@")
if [ "${#sizes[@]}" -eq 0 ]; then sizes=(10 100 1000 10000); fi
scratch=$(mktemp -d)
trees=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")")
trap 'rm -rf "$scratch" "$trees"' EXIT
for n in "${sizes[@]}"; do
  python3 bench/make-fleet.py "$n" > "$scratch/fleet-separate-$n.yaml"
  python3 bench/make-fleet.py "$n" --shared > "$scratch/fleet-shared-$n.yaml"
done
python3 - "$scratch" "$trees" "${sizes[@]}" <<'PY'
import os, shutil, subprocess, sys, time
scratch, trees, sizes = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3:]]

def measure(command, runs):
    """Best wall time and that child's own peak RSS (wait4), over `runs` runs."""
    best = None
    for _ in range(runs):
        shutil.rmtree(f"{trees}/out", ignore_errors=True)
        start = time.monotonic()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.monotonic() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(command)}")
        if best is None or elapsed < best[0]:
            best = (elapsed, usage.ru_maxrss / 1024)
    return best

print(f"{'links':9s} {'pairs':>6s} {'nodes':>6s} | {'lint':>8s} {'peak':>7s} {'growth':>7s} | {'build':>8s} {'peak':>7s} {'growth':>7s}")
for variant in ("separate", "shared"):
    previous = None
    for n in sizes:
        topology = f"{scratch}/fleet-{variant}-{n}.yaml"
        runs = 3 if n <= 1000 else 1
        lint = measure([".build/release/spark-gen", "lint", "-q", topology], runs)
        build = measure([".build/release/spark-gen", "build", topology, "-o", f"{trees}/out"], runs)
        growth = ("", "") if previous is None else tuple(f"x{now / before:.1f}" for now, before in ((lint[0], previous[0]), (build[0], previous[1])))
        print(f"{variant:9s} {n:6d} {2 * n:6d} | {lint[0] * 1000:6.0f}ms {lint[1]:5.0f}MB {growth[0]:>7s} | {build[0] * 1000:6.0f}ms {build[1]:5.0f}MB {growth[1]:>7s}")
        previous = (lint[0], build[0])
shutil.rmtree(f"{trees}/out", ignore_errors=True)
PY
