#!/usr/bin/env bash
# Wall time of `spark-gen lint` on the example with the release binary, as a pre-commit hook
# runs it: the median of RUNS runs (default 50), in milliseconds. When valgrind is installed,
# also the instructions of the same lint and of a static Swift hello, and their ratio (issue 26
# asks for at most 1.5): on a shared machine wall time is mostly waiting for a core, and an
# instruction count is the same on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-50}
swift build -c release --static-swift-stdlib >/dev/null
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  .build/release/spark-gen lint examples/split-trust/topology.yaml >/dev/null 2>&1
  times+=($(( ($(date +%s%N) - start) / 100000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(sed -n "$(( (runs + 1) / 2 ))p" <<<"$sorted")
printf 'lint startup: median %d.%d ms over %d runs\n' $((median / 10)) $((median % 10)) "$runs"

command -v valgrind >/dev/null || exit 0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Callgrind cannot read the release binary's DWARF; a copy without it counts the same code.
objcopy --strip-debug .build/release/spark-gen "$scratch/spark-gen"
printf 'print("hello")\n' >"$scratch/hello.swift"
swiftc -O -static-stdlib "$scratch/hello.swift" -o "$scratch/hello"
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'; }
hello=$(count "$scratch/hello")
lint=$(count "$scratch/spark-gen" lint examples/split-trust/topology.yaml)
awk -v h="$hello" -v l="$lint" 'BEGIN { printf "instructions: lint %.2f M, static hello %.2f M, ratio %.2f\n", l / 1e6, h / 1e6, l / h }'
