#!/usr/bin/env bash
# Growth check: for every fleet shape of bench/make-fleet.py (each turns up one dimension
# that could hide growth faster than the fleet), lint and build SMALL and 10 x SMALL pairs.
# Ten times the fleet may cost at most 11 times the instructions (counted with valgrind's
# cachegrind, which the machine's load does not move) and 11 times the peak memory, for
# lint and for build; a shape over either fails the run (exit 1). Wall and user time, the
# floors (a static Swift hello, `spark-gen --version`) and the peer (bench/peer.py, a Jinja2
# renderer of the same per-pair files) are measured in the same run and reported, not
# checked: one run's user time moves by 20-40% on a shared machine. Release binary with the
# Swift runtime linked statically; trees on tmpfs (/dev/shm) when there is one. Details and
# options: bench/growth.py.
#   bench/growth.sh [SMALL]      default 20 (20 and 200 pairs: about 10 minutes of CPU);
#                                100 gives the 100/1000 fleets (about an hour of CPU)
#   SPARK_GEN=path/to/spark-gen bench/growth.sh    measure that binary instead of building one
#   LINT_ONLY=1 bench/growth.sh  lint only: no build, no peer
#   SHAPES=owners,chains         only these shapes
#   KEEP=DIR                     keep each run's cachegrind profile (cg_annotate DIR/SHAPE-N-VERB.cg)
#   RUNS=3 JOBS=2                native runs per cell (medians); valgrind runs at once
set -euo pipefail
cd "$(dirname "$0")/.."
# valgrind, objcopy, Jinja2 and PyYAML (and the build's libraries) when missing; nothing when
# they are there. The test command does not install valgrind: no test runs it.
scripts/bootstrap.sh --bench
small=${1:-20}
if [ -z "${SPARK_GEN:-}" ]; then
  swift build -c release --static-swift-stdlib >/dev/null
fi
binary=${SPARK_GEN:-.build/release/spark-gen}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf 'print("hello")\n' > "$scratch/hello.swift"
swiftc -O -static-stdlib "$scratch/hello.swift" -o "$scratch/hello" 2>/dev/null
options=(--hello "$scratch/hello")
if [ -n "${LINT_ONLY:-}" ]; then options+=(--lint-only); fi
if [ -n "${SHAPES:-}" ]; then options+=(--shapes "$SHAPES"); fi
if [ -n "${KEEP:-}" ]; then options+=(--keep "$KEEP"); fi
python3 bench/growth.py "$binary" "$small" "${options[@]}"
