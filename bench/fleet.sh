#!/usr/bin/env bash
# Lint time and peak memory on fleets of N split-trust pairs (bench/make-fleet.py), with the
# release binary, and how each doubling of the fleet grows them: linear growth doubles.
#   bench/fleet.sh [N ...]      default: 100 200 400 1000
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
sizes=("$@")
if [ "${#sizes[@]}" -eq 0 ]; then sizes=(100 200 400 1000); fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for n in "${sizes[@]}"; do
  python3 bench/make-fleet.py "$n" > "$scratch/fleet-$n.yaml"
done
python3 - "$scratch" "${sizes[@]}" <<'PY'
import resource, subprocess, sys, time
scratch, sizes = sys.argv[1], [int(n) for n in sys.argv[2:]]
previous = None
for n in sizes:
    best = None
    for _ in range(3):
        start = time.monotonic()
        result = subprocess.run([".build/release/spark-gen", "lint", f"{scratch}/fleet-{n}.yaml"], capture_output=True)
        elapsed = time.monotonic() - start
        if result.returncode != 0:
            sys.exit(f"lint of {n} pairs failed: {result.stderr.decode()[:500]}")
        best = elapsed if best is None else min(best, elapsed)
    # Children's peak RSS so far: the largest fleet run last dominates it.
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    growth = "" if previous is None else f"  ×{best / previous[1]:.1f} time for ×{n / previous[0]:.1f} pairs"
    print(f"fleet: {n:5d} pairs ({2 * n} nodes)  lint {best * 1000:7.0f} ms  peak RSS {rss:6.0f} MB{growth}")
    previous = (n, best)
PY
