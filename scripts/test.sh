#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test.
#   scripts/test.sh           everything (what CI runs, via .ci/run)
#   scripts/test.sh --quick   while editing: swift format lint, the unit tests, rule examples and
#                             goldens, without the release build and the proofs by real programs
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
# Formatting first: it takes seconds and fails on any finding (.swift-format; docs/development.md).
swift format lint --strict --parallel --recursive Sources Tests Package.swift
swift build
if [ "${1:-}" = "--quick" ]; then
  exec swift test --disable-xctest --skip 'RealToolTests|TrustBoundaryProofTests|RayProofTests|LANModelProofTests'
fi
# The release build users and the pre-commit hook run, every target included: a test helper
# that needs testable imports once compiled only in debug.
swift build -c release --static-swift-stdlib
# Each proof runs once, inside the tests, up to SPARK_PROOF_JOBS side by side (default three times the
# cores; docs/testing.md); they record what it printed here, and the
# per-example table (artifact, checker, result) and the reachability matrices are printed
# from that one run.
report=.build/proof-report
rm -rf "$report"
status=0
# The proofs run firewall.sh and ufw against private copies of /etc/ufw (mount namespaces);
# this machine's own firewall state must come out of the run as it went in.
host_ufw() { find /etc/ufw /etc/default/ufw -type f -exec sha256sum {} + 2>/dev/null | sort; }
ufw_before=$(host_ufw)
SPARK_PROOF_REPORT="$PWD/$report" swift test --disable-xctest || status=$?
python3 proof/report.py "$report" || status=1
if [ "$(host_ufw)" != "$ufw_before" ]; then
  echo "test.sh: a test changed this machine's /etc/ufw or /etc/default/ufw (a proof ran ufw or firewall.sh outside its private copy):" >&2
  diff <(echo "$ufw_before") <(host_ufw) >&2 || true
  status=1
fi
exit "$status"
