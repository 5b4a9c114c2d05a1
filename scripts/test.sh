#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
swift build
# The release build users and the pre-commit hook run, every target included: a test helper
# that needs testable imports once compiled only in debug.
swift build -c release
swift test --disable-xctest
# The per-example table (artifact, checker, result) and the reachability matrix.
python3 proof/prove.py
