#!/usr/bin/env bash
# The example's lint, build and diff with the release binary, beside the floors measured in the
# same run: cat of the topology, cp -r of the output tree, and a statically linked Swift hello.
# Medians of RUNS runs (default 20), in milliseconds, on tmpfs (/dev/shm) where it exists.
#   bench/example.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib >/dev/null
base=/dev/shm
[ -d "$base" ] || base=${TMPDIR:-/tmp}
scratch=$(mktemp -d "$base/spark-gen-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
printf 'print("hello")\n' > "$scratch/hello.swift"
swiftc -O -static-stdlib "$scratch/hello.swift" -o "$scratch/hello" 2>/dev/null
binary=$PWD/.build/release/spark-gen
topology=$PWD/examples/split-trust/topology.yaml
"$binary" build "$topology" -o "$scratch/tree" >/dev/null 2>&1
python3 - "$scratch" "$binary" "$topology" "${RUNS:-20}" <<'PY'
import statistics, subprocess, sys, time
scratch, binary, topology, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def median(command, before=None):
    times = []
    for _ in range(runs):
        if before: subprocess.run(before, shell=True, check=True)
        start = time.monotonic()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.monotonic() - start) * 1000)
    return statistics.median(times)
rows = [
    ("floor: cat topology.yaml", median(["cat", topology])),
    ("floor: cp -r of the output tree", median(["cp", "-r", f"{scratch}/tree", f"{scratch}/copy"], before=f"rm -rf {scratch}/copy")),
    ("floor: static Swift hello", median([f"{scratch}/hello"])),
    ("spark-gen lint", median([binary, "lint", "-q", topology])),
    ("spark-gen build", median([binary, "build", topology, "-o", f"{scratch}/built"])),
    ("spark-gen diff", median([binary, "diff", topology, "--against", f"{scratch}/tree"])),
]
for name, value in rows:
    print(f"example: {name:34s} {value:6.1f} ms")
hello = rows[2][1]
print(f"example: lint is {rows[3][1] / hello:.1f}× the static hello (target 1.5×); "
      f"build is {rows[4][1] / (rows[3][1] + rows[1][1]):.1f}× lint + cp -r (target 2×)")
PY
