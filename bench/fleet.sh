#!/usr/bin/env bash
# Lint time and peak memory on fleets of N split-trust pairs (bench/make-fleet.py), each pair on
# its own direct link and, second, all pairs on one shared fabric, with the release binary, and
# how each step of the fleet grows them: linear growth keeps time per pair flat.
#   bench/fleet.sh [N ...]      default: 100 200 400 1000
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
sizes=("$@")
if [ "${#sizes[@]}" -eq 0 ]; then sizes=(100 200 400 1000); fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for n in "${sizes[@]}"; do
  python3 bench/make-fleet.py "$n" > "$scratch/fleet-separate-$n.yaml"
  python3 bench/make-fleet.py "$n" --shared > "$scratch/fleet-shared-$n.yaml"
done
python3 - "$scratch" "${sizes[@]}" <<'PY'
import os, subprocess, sys, time
scratch, sizes = sys.argv[1], [int(n) for n in sys.argv[2:]]
for variant in ("separate", "shared"):
    previous = None
    peak = 0
    for n in sizes:
        best = None
        for _ in range(3):
            start = time.monotonic()
            child = subprocess.Popen(
                [".build/release/spark-gen", "lint", "-q", f"{scratch}/fleet-{variant}-{n}.yaml"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # wait4 gives this child's own peak RSS (kilobytes on Linux).
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = time.monotonic() - start
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"lint of {n} {variant} pairs failed: run it by hand to see why")
            rss = usage.ru_maxrss / 1024
            best = elapsed if best is None else min(best, elapsed)
        growth = "" if previous is None else f"  ×{best / previous[1]:.1f} time for ×{n / previous[0]:.1f} pairs"
        print(f"fleet ({variant:8s} links): {n:5d} pairs ({2 * n} nodes)  lint {best * 1000:7.0f} ms  peak RSS {rss:6.0f} MB{growth}")
        previous = (n, best)
PY
