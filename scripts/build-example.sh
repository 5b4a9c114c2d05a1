#!/usr/bin/env bash
# The main job on the example: installs what is missing, builds spark-gen, and writes the
# artifact tree of examples/split-trust to out/split-trust.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --static-swift-stdlib
.build/release/spark-gen build examples/split-trust/topology.yaml
