#!/usr/bin/env bash
# Every measurement in bench/, one after the other, each printing its table. The release
# binary links the Swift runtime statically (--static-swift-stdlib): loading the shared
# runtime is most of a small topology's lint time.
#   bench/run.sh
set -euo pipefail
cd "$(dirname "$0")"
for script in example.sh lint-startup.sh bad-inputs.sh fleet.sh growth.sh; do
  echo "== bench/$script"
  bash "$script"
  echo
done
