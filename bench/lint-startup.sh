#!/usr/bin/env bash
# Wall time of `spark-gen lint` on the example with the release binary, as a pre-commit hook
# runs it: the median of RUNS runs (default 50), in milliseconds.
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
