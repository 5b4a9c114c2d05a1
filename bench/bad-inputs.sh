#!/usr/bin/env bash
# How long the release binary takes to reject each bad input (the target is under 100 ms).
#   bench/bad-inputs.sh        prints the slowest cases and exits 1 if any exceeds the target
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib >/dev/null
binary=.build/release/spark-gen
target_ms=${TARGET_MS:-100}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
results=()
for file in Tests/BadInputs/*.yaml; do
  start=$(date +%s%N)
  "$binary" build "$file" -o "$scratch/out" >/dev/null 2>&1 || true
  results+=("$(( ($(date +%s%N) - start) / 1000000 )) $file")
done
sorted=$(printf '%s\n' "${results[@]}" | sort -rn)
sed -n 1,5p <<<"$sorted"
slowest=$(sed -n 1p <<<"$sorted" | cut -d' ' -f1)
echo "bad inputs: ${#results[@]} files, slowest ${slowest} ms (target ${target_ms} ms)"
[ "$slowest" -le "$target_ms" ]
