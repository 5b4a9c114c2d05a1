#!/usr/bin/env bash
# Builds the libFuzzer target (with AddressSanitizer) and runs it for a given time.
#   scripts/fuzz.sh [SECONDS]      default 60; findings land in fuzz/findings/
# The seed corpus is every example topology and the bad-input corpus. A crash becomes a regression
# test: copy the input into Tests/BadInputs/ with its expected outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scripts/bootstrap.sh
swift build --package-path fuzz -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp Tests/BadInputs/*.yaml "$corpus"/ 2>/dev/null || true
for example in examples/*/topology.yaml; do cp "$example" "$corpus/$(basename "$(dirname "$example")").yaml"; done
mkdir -p fuzz/findings
SWIFT_BACKTRACE=enable=no .build-fuzz/release/TopologyFuzzer "$corpus" \
  -max_total_time="$seconds" -max_len=65536 -timeout=5 -rss_limit_mb=4096 \
  -artifact_prefix=fuzz/findings/ -print_final_stats=1
