#!/usr/bin/env python3
"""Applies a tree's ansible/site.yml for real, over ssh, to one node isolated from this machine.

  ansible_apply.py --tree TREE_DIR --node NODE [--only files|weights|calls|drift|changes] [--venv DIR]

The node is this machine inside its own mount, network and PID namespaces (`unshare -m -n -p`,
private propagation; when the namespace's first process ends the kernel ends every process in
it, sshd and ssh's control masters included). Inside:
  - a copy of /etc bind-mounted over /etc, with the node's user (uid and gid 1000, replacing
    whoever has them here), a docker group, and a sudoers.d line letting the user become root
    without a password, as on a DGX Spark; tmpfs over /home, /run, /var/log, /var/tmp (ansible's
    remote temporary files, root's too), /var/cache/apt, /var/lib/sudo and /etc/systemd/system,
    so nothing lands in this machine's files;
  - the node's LAN address on the namespace's loopback, and Debian's sshd listening there
    (its own config, a host key and a client key made for this run in the scratch folder, no PAM,
    public keys only); ansible-playbook reaches the node as the inventory says, the node's user at
    its ansible_host, over ssh with pipelining, and becomes root with sudo. A node reached by its
    tailnet name gets 127.0.0.1 instead (-e ansible_host).
  - stand-ins on PATH (a tmpfs over /usr/local/bin, first on sudo's and sshd's PATH) for what
    cannot run here, each logging its call: `netplan`, `systemctl` (answers `show` and `is-enabled` from a
    state it keeps, so ansible's systemd_service module decides what to do as on a real node),
    `docker` (`compose up -d` reports Started/Recreated, `--no-recreate` reports Running once up),
    `ufw`, `tailscale` (present), `pip3` (prints what pip prints: "Successfully installed" once,
    then "Requirement already satisfied", and puts a logging `hf` in ~/.local/bin). The node's
    verify.sh is a stand-in in the tree copied here: the real one checks listeners and GPUs that
    do not exist here, and fails (proof/node_scripts.py checks it). The node's Python is
    `python3-node`: Debian's /usr/bin/python3, each module run a process forked from one started
    with the node (proof/ansible_node/zygote.py), with a compile cache for the zipped modules
    ansible sends (proof/ansible_node/sitecustomize.py); ansible.cfg's internal_poll_interval
    is 0.02 s on the controller (a scratch ansible.cfg, unless the tree has one), whose Python
    keeps the module zips it builds for all its runs and freezes its garbage collector's
    generations before each fork (proof/ansible_controller/sitecustomize.py); the zips of
    ansible-core's own modules are kept for the next proofs too (ansiballz_store). The node's apt
    has its binary caches, as on a DGX Spark, kept for the next proofs' nodes (APT_CACHE).
  Why the forked module runs are still the real thing: ansible-playbook reaches the node as
  before (ssh, sudo, `python3-node` as the interpreter, the program on standard input), and that
  stand-in (proof/ansible_node/client.py, Python without site) hands its standard input, output
  and error, environment, working directory and umask to the zygote, which forks a process that
  takes the uid, gid and groups the socket's peer credentials give (root after sudo, the node's
  user without it), reads the program ansible sent from that standard input and runs it as
  `python3` would (sys.path, sys.flags, argv, locale, stdio, exit status, traceback: compared
  line for line); the stand-in exits with that status. A run whose python3 would start
  otherwise (another UTF-8 mode, a PYTHON* variable) is not forked: it runs python3 itself.
  The zygote has imported only Python's standard library and the node's `distro`
  (the modules every module run of ansible-core 2.19 imported), never ansible: the module and
  every module_utils come from the zip in the program, with the arguments in it, as before. Each
  module run cost about 0.17 CPU-s of Python at load 20, a third of it the interpreter's start
  and those imports (287 runs in split-trust's apply).
  The playbook's check that python3 is the version the LiteLLM unit names is told this machine's
  version; its PEP 668 check and the pip line it picks run as written.
  The apt task runs ansible's real apt module against this machine's package database read-only:
  python3-pip is installed (scripts/bootstrap.sh --test), so the task changes nothing; a machine
  without it is refused before anything runs.

Checks, in order (exits 1 naming the first that failed):
  1. a default run (every tag but `weights`) changes files, makes the generated secrets, gives
     every file the tree's mode and owner; the stand-ins saw: daemon-reload, start and enable of
     each unit, `docker compose up -d` in the compose directory, `netplan apply` before
     firewall.sh's ufw calls where the node has a netplan file, pip, no
     `hf`, and verify.sh after every other call;
  2. a second default run reports changed=0 and restarts nothing (no daemon-reload, start,
     restart, enable, no `compose up -d` but `--no-recreate`, no ufw);
  3. drift.sh exits 0; after one file is edited on the node, 1 naming exactly that node and file;
  4. after that, `--tags all,weights` with the verify stand-in failing restores the file and
     restarts exactly what reads it (the edited file is litellm-config.yaml where the node has
     one: daemon-reload and restart of the unit whose ExecStart names it, or `compose up -d
     --force-recreate` of the services that mount it; `compose up -d` for compose.yaml; nothing
     else), runs every `hf download` of the playbook as the node's user, and fails at verify, last;
  5. a unit file changed in the tree: `--tags files,services` restarts exactly that unit;
  6. with one generated secret removed, `--tags services` fails naming its path, never its value.
--only runs a break case's check alone (prove.py --apply-only; ONLY below says what each runs):
the part of the first run its check needs, on a fresh node, then that check (3's edit of the
file is made for 4 without drift.sh's runs). The unbroken tree's proof runs every check.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import ansible_check

HERE = os.path.dirname(os.path.abspath(__file__))
# The node's python3: its PATH has /usr/local/bin (a tmpfs of stand-ins there), then /usr/bin.
NODE_PYTHON = "/usr/bin/python3"
# Where the node's zygote listens (the node's /run, a tmpfs); client.py names it too.
ZYGOTE_SOCKET = "/run/spark-gen-zygote.sock"
UID = GID = 1000
# apt's binary caches of the package lists, kept between proofs: a node's apt opens them instead of
# parsing the lists again (apt checks they still match the lists and dpkg's status, else rebuilds).
APT_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "spark-gen", "apt-pkgcache")
APT_CACHE_FILES = ("pkgcache.bin", "srcpkgcache.bin")
# The module zips ansible-playbook builds for ansible-core's own modules, kept between proofs
# (proof/ansible_controller/sitecustomize.py reads them), in a folder named by the venv's ansible.
ANSIBALLZ_STORE = os.path.join(os.path.expanduser("~"), ".cache", "spark-gen", "ansiballz")
# The calls that start, restart or reconfigure something; `show`, `is-enabled` only look.
ACTIONS = re.compile(r"^(systemctl (daemon-reload|start|restart|enable|stop|disable)\b|docker compose up|ufw |netplan |hf |pip3 |verify\.sh)")
# What runs on every apply and restarts nothing: the checks, pip (which says "already satisfied"),
# and Compose's --no-recreate, which starts only what is not running.
SETTLED = re.compile(r"^(verify\.sh|pip3 )|--no-recreate")
# The playbook's tags (spark-gen's ansible/site.yml: every task has one or more), and the checks
# after the first run, in order.
TAGS = ("files", "prereqs", "secrets", "services", "verify")
LATER = ["second", "drift", "changes", "weights", "unit", "secret"]
# --only: a break case runs, on a fresh node, the part of the default first run its check needs,
# chosen by tag (ansible-playbook's --tags/--skip-tags; no --tags keeps the `never` tasks out, as a
# default run does), checks 1's parts that part covers, then only the later checks it names. Each
# run of the playbook costs 10-20 CPU-s here; the unbroken tree's proof runs them all, whole.
ONLY = {
    # A file's mode or owner, a files handler not run (netplan's): the files tag's tasks
    # (directories, copies) set every mode, and notify netplan apply and firewall.sh.
    "files": (["--tags", "files"], {"files"}, []),
    # A task in a default run that only --tags weights may run: a run without --tags, the tags
    # that need no weights left out; prereqs installs the `hf` the weights task calls.
    "weights": (["--skip-tags", "files,secrets,services,verify"], {"prereqs"}, []),
    # A restart not marked (a compose file's): the files that notify, the secrets the services
    # play asserts, the services it starts; the stand-ins' calls of those.
    "calls": (["--skip-tags", "prereqs,verify"], {"files", "secrets", "services"}, []),
    # drift.sh (`--check --diff --tags files`) compares what the files tag's tasks made; its run
    # after the edit alone (a drift.sh that never says "1" passes the run before it).
    "drift": (["--tags", "files"], {"files"}, ["drifted"]),
    # A file edited on the node, then `--tags files,services`: the files, secrets and running
    # services of a first run are what it restores and restarts.
    "changes": (["--skip-tags", "prereqs,verify"], {"files", "secrets", "services"}, ["changes"]),
}


def shims(scratch, log, state):
    flag = os.path.join(scratch, "verify-fails")
    return {
        "systemctl": f"""#!/bin/sh
echo "systemctl $*" >> {log}
command=$1; unit=${{2:-}}
case "$command" in
  daemon-reload) ;;
  show) load=not-found; [ -e "/etc/systemd/system/$unit" ] && load=loaded
        active=inactive; [ -e "{state}/active-$unit" ] && active=active
        printf 'Id=%s\\nLoadState=%s\\nActiveState=%s\\n' "$unit" "$load" "$active" ;;
  is-enabled) if [ -e "{state}/enabled-$unit" ]; then echo enabled; else echo disabled; exit 1; fi ;;
  enable) touch "{state}/enabled-$unit" ;;
  disable) rm -f "{state}/enabled-$unit" ;;
  start|restart) touch "{state}/active-$unit" ;;
  stop) rm -f "{state}/active-$unit" ;;
  *) echo "systemctl stand-in: '$command' is not emulated" >&2; exit 1 ;;
esac
""",
        "docker": f"""#!/bin/sh
echo "docker $* (in $(pwd))" >> {log}
[ "$1 $2 $3" = "compose up -d" ] || {{ echo "docker stand-in: '$*' is not emulated" >&2; exit 1; }}
up="{state}/up$(pwd | tr / _)"
if [ "${{4:-}}" = --no-recreate ] && [ -e "$up" ]; then echo ' Container stack-1  Running' >&2; exit 0; fi
[ -e "$up" ] && echo ' Container stack-1  Recreated' >&2
touch "$up"; echo ' Container stack-1  Started' >&2
""",
        "ufw": f"#!/bin/sh\necho \"ufw $*\" >> {log}\n",
        # The node's Python: Debian's, each module run forked by proof/ansible_node/zygote.py
        # (this stand-in, client.py, hands it the run), with a compile cache for the zipped
        # modules ansible sends (sitecustomize.py). `-IS`: the stand-in's own start imports nothing.
        "python3-node": f"#!{NODE_PYTHON} -IS\n" + open(os.path.join(HERE, "ansible_node", "client.py")).read(),
        "tailscale": f"#!/bin/sh\necho \"tailscale $*\" >> {log}\n",
        # The real netplan would reconfigure this machine's network daemon.
        "netplan": f"#!/bin/sh\necho \"netplan $*\" >> {log}\n",
        "pip3": f"""#!/bin/sh
echo "pip3 $* (as $(id -un))" >> {log}
if [ -e "$HOME/.local/pip-stand-in" ]; then echo 'Requirement already satisfied: (all)'; exit 0; fi
mkdir -p "$HOME/.local/bin" && touch "$HOME/.local/pip-stand-in"
printf '#!/bin/sh\\necho "hf $* (as $(id -un))" >> {log}\\n' > "$HOME/.local/bin/hf"
chmod 755 "$HOME/.local/bin/hf"
echo 'Successfully installed (all)'
""",
        "verify.sh": f"""#!/bin/sh
# Stand-in for the node's verify.sh (proof/ansible_apply.py): logs, and fails when told to.
echo "verify.sh (as $(id -un))" >> {log}
if [ -e {flag} ]; then echo 'FAIL  stand-in check'; exit 1; fi
echo 'ok    stand-in check'
""",
    }


def isolate(scratch, manifest):
    """Turns this namespace into the node: its /etc, its user, empty state dirs, stand-ins."""
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    etc = os.path.join(scratch, "etc")
    shutil.copytree("/etc", etc, symlinks=True)
    user, home = manifest["user"], manifest["home"]
    ids = re.compile(rf"^[^:]*:[^:]*:{UID}:")
    for name, line in (("passwd", f"{user}:x:{UID}:{GID}::{home}:/bin/bash\n"), ("group", f"{user}:x:{GID}:\n"),
                       ("shadow", f"{user}:*:19000:0:99999:7:::\n")):
        path = os.path.join(etc, name)
        kept = [entry for entry in open(path) if not ids.match(entry) and not entry.startswith(user + ":")]
        if name == "group" and not any(entry.startswith("docker:") for entry in kept):
            kept.append("docker:x:999:\n")
        with open(path, "w") as handle:
            handle.write("".join(kept) + line)
    sudoers = os.path.join(etc, "sudoers.d", "spark-gen-node")
    with open(sudoers, "w") as handle:
        handle.write(f"{user} ALL=(ALL:ALL) NOPASSWD: ALL\n")
    os.chmod(sudoers, 0o440)
    # apt's own defaults for its binary caches, as on a DGX Spark (Ubuntu): a Debian container
    # image (docker-clean) sets them to "", and then every open of apt's cache (the apt module's
    # and the apt-mark it starts, seven an apply) parsed all the package lists again, about a
    # CPU-second each. Read after docker-clean (apt.conf.d is read in name order).
    with open(os.path.join(etc, "apt", "apt.conf.d", "zz-spark-gen-node-pkgcache"), "w") as handle:
        handle.write('Dir::Cache::pkgcache "pkgcache.bin";\nDir::Cache::srcpkgcache "srcpkgcache.bin";\n')
    subprocess.run(["mount", "--bind", etc, "/etc"], check=True)
    for path in ("/home", "/run", "/var/log", "/var/tmp", "/var/cache/apt", "/var/lib/sudo", "/etc/systemd/system", "/usr/local/bin"):
        os.makedirs(path, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=1777" if path == "/var/tmp" else "mode=0755", "tmpfs", path], check=True)
    os.makedirs("/run/sshd", mode=0o755)
    os.makedirs("/var/cache/apt/archives/partial")
    for name in APT_CACHE_FILES:
        if os.path.isfile(os.path.join(APT_CACHE, name)):
            shutil.copy2(os.path.join(APT_CACHE, name), os.path.join("/var/cache/apt", name))
    os.makedirs(home)
    os.chown(home, UID, GID)
    log, state = os.path.join(scratch, "calls.log"), os.path.join(scratch, "state")
    open(log, "w").close()
    os.chmod(log, 0o666)
    os.makedirs(state)
    os.chmod(state, 0o777)
    # python3-node's compile cache, for root and the node's user alike (sitecustomize.py).
    os.makedirs("/var/tmp/.spark-gen-zipimport-cache")
    os.chmod("/var/tmp/.spark-gen-zipimport-cache", 0o1777)
    for name, text in shims(scratch, log, state).items():
        if name != "verify.sh":
            with open(os.path.join("/usr/local/bin", name), "w") as handle:
                handle.write(text)
            os.chmod(os.path.join("/usr/local/bin", name), 0o755)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    if manifest["address"]:
        subprocess.run(["ip", "addr", "add", manifest["address"] + "/24", "dev", "lo"], check=True)
    return log


def start_sshd(scratch, user, address):
    """Debian's sshd on the node's address, with keys made for this run. Returns the client key."""
    keys = os.path.join(scratch, "ssh")
    # sshd reads authorized_keys as the user: the folder opens to all, the private keys stay root's 0600.
    os.makedirs(keys)
    os.chmod(keys, 0o755)
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"spark-gen-{name}", "-f", os.path.join(keys, name)],
                       check=True, timeout=60)
    shutil.copy(os.path.join(keys, "client_key.pub"), os.path.join(keys, "authorized_keys"))
    host_key = open(os.path.join(keys, "host_key.pub")).read().split()[:2]
    with open(os.path.join(keys, "known_hosts"), "w") as handle:
        handle.write(f"{address} {' '.join(host_key)}\n")
    config = os.path.join(keys, "sshd_config")
    with open(config, "w") as handle:
        # StrictModes off: the key files sit in the run's scratch folder below /tmp, not in a home.
        handle.write(f"ListenAddress {address}:22\nHostKey {keys}/host_key\nPidFile {keys}/sshd.pid\n"
                     f"AuthorizedKeysFile {keys}/authorized_keys\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
                     f"KbdInteractiveAuthentication no\nPermitRootLogin no\nAllowUsers {user}\nPrintLastLog no\n"
                     "Subsystem sftp internal-sftp\n")
    subprocess.run(["/usr/sbin/sshd", "-t", "-f", config], check=True, timeout=30)
    sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", config],
                            stdout=open(os.path.join(scratch, "sshd.log"), "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection((address, 22), timeout=1).close()
            return sshd, os.path.join(keys, "client_key"), os.path.join(keys, "known_hosts")
        except OSError:
            if sshd.poll() is not None:
                break
            time.sleep(0.1)
    raise SystemExit("FAIL sshd did not listen:\n" + open(os.path.join(scratch, "sshd.log")).read())


def start_zygote(scratch):
    """The node's fork server for module runs (proof/ansible_node/zygote.py), as root."""
    log = open(os.path.join(scratch, "zygote.log"), "w")
    # The environment a module run has after sudo here: no locale (Python's UTF-8 mode, as theirs),
    # no PYTHON* variable; sitecustomize.py (the compile cache) shadows Debian's as it did for
    # each module run, and removes PYTHONPATH again. A run that would start otherwise is not forked.
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": os.path.join(HERE, "ansible_node")}
    zygote = subprocess.Popen([NODE_PYTHON, os.path.join(HERE, "ansible_node", "zygote.py"), ZYGOTE_SOCKET],
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 30
    while not os.path.exists(ZYGOTE_SOCKET) or os.stat(ZYGOTE_SOCKET).st_mode & 0o777 != 0o666:
        if zygote.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("FAIL the node's zygote did not start:\n" + open(log.name).read())
        time.sleep(0.02)
    return zygote


def inside(arguments):
    """Runs in the new namespaces: the node and its checks; then keeps apt's caches the node made."""
    try:
        return checks(arguments)
    finally:
        keep_apt_cache()


def keep_apt_cache():
    """The node's apt caches for the next proof's node, where apt built them again (new lists)."""
    for name in APT_CACHE_FILES:
        made, kept = os.path.join("/var/cache/apt", name), os.path.join(APT_CACHE, name)
        try:
            status = os.stat(made)
            if os.path.exists(kept) and (os.stat(kept).st_mtime_ns, os.stat(kept).st_size) == (status.st_mtime_ns, status.st_size):
                continue
            keep_copy(made, kept)
        except OSError:
            pass


def keep_copy(source, kept):
    """Copies `source` to `kept` for the next proofs, which may read it at once: under a name of
    its own (`.new-…`; pids repeat across the proofs' PID namespaces), then one rename."""
    os.makedirs(os.path.dirname(kept), exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(kept), prefix=".new-")
    os.close(handle)
    shutil.copy2(source, temporary)
    os.replace(temporary, kept)


def checks(arguments):
    """Makes the node, then runs the checks."""
    scratch = arguments.scratch
    ansible = os.path.join(scratch, "tree", "ansible")
    manifest = json.load(open(os.path.join(scratch, "node.json")))
    node, user = arguments.node, manifest["user"]
    log = isolate(scratch, manifest)
    address = manifest["address"] or "127.0.0.1"
    started = time.monotonic()
    zygote = start_zygote(scratch)
    sshd, key, known_hosts = start_sshd(scratch, user, address)
    ssh_env = {
        # The node's temporary files on its tmpfs, for root too (root's home is this machine's).
        "HOME": scratch, "ANSIBLE_PIPELINING": "True", "ANSIBLE_TIMEOUT": "15", "ANSIBLE_REMOTE_TMP": "/var/tmp/.ansible-remote",
        "ANSIBLE_SSH_ARGS": f"-F /dev/null -o ControlMaster=auto -o ControlPersist=120s -o UserKnownHostsFile={known_hosts} "
                            "-o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o BatchMode=yes",
        # The controller's module zips built once for the seven runs, and its collector told what
        # is settled before each fork (proof/ansible_controller/sitecustomize.py says why).
        "PYTHONPATH": os.path.join(HERE, "ansible_controller"), "SPARK_GEN_ANSIBALLZ_CACHE": os.path.join(scratch, "ansiballz-cache"),
    }
    os.makedirs(ssh_env["SPARK_GEN_ANSIBALLZ_CACHE"], exist_ok=True)
    # ansible-playbook waits for each task's result in a loop that sleeps internal_poll_interval
    # (0.001 s, settable only in an ansible.cfg: ansible-core 2.19, config/base.yml), a
    # thousand wake-ups a second of the controller for every second a task takes on the node.
    # A tree that brings its own ansible.cfg is read as it is.
    if not os.path.exists(os.path.join(ansible, "ansible.cfg")):
        config = os.path.join(scratch, "ansible.cfg")
        with open(config, "w") as handle:
            handle.write("[defaults]\ninternal_poll_interval = 0.02\n")
        ssh_env["ANSIBLE_CONFIG"] = config
    extra = ["-l", node, "--private-key", key, "-e", "ansible_python_interpreter=/usr/local/bin/python3-node"]
    if not manifest["address"]:
        extra += ["-e", "ansible_host=127.0.0.1"]

    def playbook(*more):
        return ansible_check.run(arguments.venv, ["ansible-playbook", "-i", "inventory.yml", "site.yml", *extra, *more], ansible, ssh_env)

    def recap(result):
        match = re.search(rf"^{re.escape(node)}\s*:.*?changed=(\d+).*?failed=(\d+)", result.stdout, re.M)
        return (int(match.group(1)), int(match.group(2))) if match else (None, None)

    def calls():
        """The stand-ins' calls that act since the last look."""
        lines = open(log).read().splitlines()
        new, calls.seen = lines[calls.seen:], len(lines)
        return [line for line in new if ACTIONS.match(line)]
    calls.seen = 0

    # The secrets a runbook step brings by hand (copied, minted, typed), as the operator would.
    for path in manifest["by_hand"]:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write("STAND_IN=made-by-hand-in-the-runbook\n")
        os.chmod(path, 0o600)
        os.chown(path, UID, GID)

    selection, ran, later = ONLY[arguments.only] if arguments.only else ([], set(TAGS), LATER)
    first = playbook(*selection)
    changed, failed = recap(first)
    if first.returncode != 0 or not changed:
        return fail("first apply over ssh (sshd's log: " + open(os.path.join(scratch, "sshd.log")).read()[-1500:] + ")", first)
    for path, mode, owner in manifest["files"] if "files" in ran else []:
        status = os.stat(path)
        actual = (f"{status.st_mode & 0o7777:04o}", "root" if status.st_uid == 0 else user if status.st_uid == UID else str(status.st_uid))
        if actual != (mode, owner):
            return fail(f"mode/owner: {path} is {actual}, the tree says {(mode, owner)}")
    for secret in manifest["generated"] if "secrets" in ran else []:
        if not os.path.isfile(secret) or os.path.getsize(secret) == 0:
            return fail(f"secrets: {secret} was not made")
    acted = calls()
    services = "services" in ran
    wanted = ["systemctl daemon-reload"] if manifest["units"] and services else []
    for unit in manifest["units"] if services else []:
        wanted += [f"systemctl start {unit}", f"systemctl enable {unit}"]
    wanted += [f"docker compose up -d (in {directory})" for directory in manifest["compose"] if services]
    if manifest["pip"] and "prereqs" in ran:
        wanted.append(f"pip3 {' '.join(manifest['pip'])} (as {user})")
    missing = [call for call in wanted if call not in acted]
    ufw = [call for call in acted if call.startswith("ufw ")]
    problems = [f"missing {missing}"] if missing else []
    problems += [] if ufw or "files" not in ran else ["firewall.sh did not run (no ufw call)"]
    if manifest["netplan"] and "files" in ran:
        # The links' addresses before the firewall script, as the runbook orders them.
        applied = [index for index, call in enumerate(acted) if call == "netplan apply"]
        problems += [] if applied else ["netplan apply did not run after the netplan files were copied"]
        problems += ["netplan apply ran after firewall.sh" for _ in applied[:1] if ufw and applied[0] > acted.index(ufw[0])]
        wanted.append("netplan apply")
    problems += [f"a default run downloaded weights: {call}" for call in acted if call.startswith("hf ")]
    if "verify" in ran:
        problems += [] if acted and acted[-1] == "verify.sh (as root)" else ["verify.sh did not run last, as root"]
    if problems:
        return fail(f"first apply's calls: {'; '.join(problems)}; the calls were {acted}", first)
    if arguments.only:
        print(f"ok   first apply over ssh, {' '.join(selection)} (--only {arguments.only}; the unbroken tree proves the whole run): "
              f"changed={changed}; stand-ins saw {', '.join(wanted) or 'nothing they wait for'}, {len(ufw)} ufw calls, no hf")
    else:
        print(f"ok   first apply over ssh ({user}@{address}, sudo): changed={changed}, {len(manifest['files'])} files with their "
              f"modes and owners, {len(manifest['generated'])} secrets made; stand-ins saw {', '.join(wanted)}, "
              f"{len(ufw)} ufw calls, no hf, verify.sh last")
    if not later:
        return 0

    if "second" in later:
        second = playbook()
        changed, failed = recap(second)
        restarted = [call for call in calls() if not SETTLED.search(call)]
        if second.returncode != 0 or changed != 0 or restarted:
            return fail(f"second apply (changed={changed}, restarted {restarted})", second)
        print("ok   second apply: changed=0, nothing restarted (only `compose up -d --no-recreate`, pip and verify.sh ran)")

    drift_env = {**os.environ, **ssh_env, "PATH": os.path.join(arguments.venv, "bin") + os.pathsep + os.environ["PATH"],
                 "PYTHONWARNINGS": "ignore", "ANSIBLE_LOCAL_TEMP": os.path.join(scratch, ".ansible-tmp")}

    def drift():
        return subprocess.run(["sh", os.path.join(ansible, "drift.sh"), *extra], capture_output=True, text=True, timeout=600, env=drift_env)

    if "drift" in later:
        clean = drift()
        if clean.returncode != 0:
            return fail(f"drift.sh on a node as built (exit {clean.returncode})", clean)
    target = manifest["drift_file"]
    with open(target, "a") as handle:
        handle.write("# edited on the node\n")
    if "drift" in later or "drifted" in later:
        drifted = drift()
        named = [line for line in drifted.stderr.splitlines() if line.startswith("drift: ")]
        if drifted.returncode != 1 or named != [f"drift: {node}: {target}"]:
            return fail(f"drift.sh after {target} changed (exit {drifted.returncode}, named {named})", drifted)
        print(f"ok   drift.sh: {'0 as built; ' if 'drift' in later else ''}1 naming '{named[0]}' after one file changed")
    if "changes" not in later:
        return 0

    # The edited file goes back, and restarts exactly what reads it: a config file read at start
    # its unit or the compose services that mount it, compose.yaml its services.
    wanted = list(manifest["readers"])
    if target.endswith("/compose.yaml"):
        wanted.append(f"docker compose up -d (in {os.path.dirname(target)})")
    # One run for three checks (each run costs a minute here): every tag and weights, with the
    # verify stand-in failing. A break case of the restart alone (--only changes) runs the tags
    # that restore the file and restart its readers, as check 5 does for a unit.
    calls()
    if "weights" in later:
        open(os.path.join(scratch, "verify-fails"), "w").close()
    third = playbook("--tags", "all,weights" if "weights" in later else "files,services")
    acted = calls()
    restarted = [call for call in acted if not SETTLED.search(call) and not call.startswith("hf ")]
    if restarted != wanted:
        return fail(f"apply after changes: the stand-ins saw {restarted}, expected exactly {wanted}", third)
    print(f"ok   after {os.path.basename(target)} edited on the node: exactly {wanted or 'no restart'} (the handler of the file that "
          "service reads at start)")
    if "weights" not in later:
        return 0 if third.returncode == 0 else fail("--tags files,services after the edit", third)
    downloads = [f"hf {' '.join(command[1:])} (as {user})" for command in manifest["downloads"]]  # the runbook's
    fetched = [call for call in acted if call.startswith("hf ")]
    if fetched != downloads:
        return fail(f"--tags all,weights: hf calls {fetched}, want {downloads}", third)
    last_task = third.stdout.split("fatal:")[0].rsplit("TASK [", 1)[-1]
    if third.returncode == 0 or not last_task.startswith("Verify") or acted[-1] != "verify.sh (as root)":
        return fail(f"a failing verify.sh (exit {third.returncode}, failed in task {last_task[:60]!r})", third)
    print(f"ok   --tags weights ran the {len(downloads)} hf download of the runbook as {user}; verify.sh ran last, and failing, failed the play")
    os.remove(os.path.join(scratch, "verify-fails"))
    if "unit" not in later:
        return 0

    # A unit changed in the tree restarts that unit and nothing else.
    if manifest["units"]:
        unit_file = manifest["unit_files"][0]
        with open(os.path.join(scratch, "tree", unit_file["source"]), "a") as handle:
            handle.write("# changed in the tree\n")
        unit_run = playbook("--tags", "files,services")
        restarted = [call for call in calls() if not SETTLED.search(call)]
        wanted = ["systemctl daemon-reload", f"systemctl restart {unit_file['unit']}"]
        if unit_run.returncode != 0 or restarted != wanted:
            return fail(f"apply after {unit_file['source']} changed: the stand-ins saw {restarted}, expected exactly {wanted}", unit_run)
        print(f"ok   after {unit_file['unit']} changed in the tree: exactly {wanted}")

    secret = manifest["generated"][0]
    value = open(secret).read()
    os.remove(secret)
    gone = playbook("--tags", "services")
    if gone.returncode == 0 or secret not in gone.stdout:
        return fail(f"services with {secret} removed", gone)
    for line in value.splitlines():
        shown = line.split("=", 1)[-1]
        if shown and shown in gone.stdout + gone.stderr:
            return fail(f"a secret value of {secret} is in the playbook's output")
    print(f"ok   a removed secret stops the services play naming {secret}, and no value is printed")
    sshd.terminate()
    sshd.wait(timeout=10)
    zygote.terminate()
    print(f"     {time.monotonic() - started:.0f} s over ssh for {node}")
    return 0


def fail(what, result=None):
    print(f"FAIL {what}" + (f":\n{result.stdout[-4000:]}{result.stderr[-2000:]}" if result else ""))
    return 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--venv", default=ansible_check.DEFAULT_VENV)
    parser.add_argument("--only", choices=sorted(ONLY),
                        help="a break case's check alone, after the part of the first run it needs (ONLY says which)")
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.scratch:
        return inside(arguments)
    # The playbook's apt task must find python3-pip, or apt would install it on this machine.
    for package in ("openssh-server", "sudo", "python3-apt", "python3-pip"):
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
        if "install ok installed" not in status.stdout:
            print(f"FAIL {package} is not installed: run scripts/bootstrap.sh --test")
            return 1
    ansible_check.ensure_venv(arguments.venv)
    # A SIGTERM (prove.py's timeout) unwinds through `finally`, which removes the scratch folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    scratch = tempfile.mkdtemp(prefix="spark-gen-apply-")
    os.chmod(scratch, 0o755)
    try:
        tree = os.path.join(scratch, "tree")
        shutil.copytree(arguments.tree, tree, symlinks=True)
        # The playbook checks python3 is the version the LiteLLM unit's PYTHONPATH names (the
        # topology's, 3.12 by default); the node here is this machine, whose python3 it is told.
        site = os.path.join(tree, "ansible", "site.yml")
        here = subprocess.run([NODE_PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True).stdout.strip()
        with open(site) as handle:
            text = handle.read()
        with open(site, "w") as handle:
            handle.write(re.sub(r'(sys\.version_info\[:2\] != )"\d+\.\d+"', rf'\1"{here}"', text))
        manifest = describe(tree, arguments.node)
        verify = os.path.join(tree, "nodes", arguments.node, manifest["verify"].lstrip("/"))
        with open(verify, "w") as handle:
            handle.write(shims(scratch, os.path.join(scratch, "calls.log"), "")["verify.sh"])
        with open(os.path.join(scratch, "node.json"), "w") as handle:
            json.dump(manifest, handle)
        store = ansiballz_store(arguments.venv)
        zips = os.path.join(scratch, "ansiballz-cache")
        shutil.copytree(store, zips, ignore=shutil.ignore_patterns(".new-*")) if os.path.isdir(store) else os.makedirs(zips)
        # --kill-child: should this process be stopped, the namespace's first process and with it
        # every process in the namespace (sshd, ssh masters, ansible) ends too.
        result = subprocess.run(["unshare", "-m", "-n", "-p", "-f", "--kill-child", "--mount-proc", "--propagation", "private", sys.executable,
                                 os.path.abspath(__file__), "--tree", tree, "--node", arguments.node, "--venv", arguments.venv,
                                 *(["--only", arguments.only] if arguments.only else []),
                                 "--scratch", scratch], capture_output=True, text=True, timeout=1500)
        print(result.stdout + result.stderr, end="")
        keep_ansiballz(zips, store)
        return result.returncode
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def ansiballz_store(venv):
    """The folder of module zips for this venv's ansible-core, named by every file of its package
    (path, size, mtime): another ansible-core, or a file of it changed, is another folder. Each zip
    holds the sources of ansible-core's module and the module_utils it imports (ansible-core 2.19,
    executor/module_common.py `_find_module_utils`; keyed there by module, compression and
    extensions alone), which is why only ansible-core's own modules are kept: a tree's library/
    module of the same name is another source."""
    package = next(iter(sorted(glob.glob(os.path.join(venv, "lib", "python*", "site-packages", "ansible")))), None)
    if package is None:
        return os.path.join(ANSIBALLZ_STORE, "none")
    digest = hashlib.sha256(os.path.realpath(package).encode())
    for directory, folders, names in os.walk(package):
        folders.sort()
        for name in sorted(names):
            if not name.endswith((".pyc", ".lock")):
                status = os.stat(os.path.join(directory, name))
                digest.update(f"{os.path.join(directory, name)[len(package):]}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    return os.path.join(ANSIBALLZ_STORE, digest.hexdigest()[:32])


def keep_ansiballz(zips, store):
    """The zips this proof's runs built for ansible-core's modules, for the next proofs."""
    for name in sorted(os.listdir(zips)) if os.path.isdir(zips) else []:
        kept = os.path.join(store, name)
        if name.startswith("ansible.modules.") and not name.endswith(".lock") and not os.path.exists(kept):
            try:
                keep_copy(os.path.join(zips, name), kept)
            except OSError:
                pass


def describe(tree, node):
    """What the node should hold, read from the tree (secrets.json, the inventory, the playbook, the files)."""
    root = os.path.join(tree, "nodes", node)
    files = []
    for directory, _, names in os.walk(root):
        files += [os.path.join(directory, name)[len(root):] for name in names]
    inventory = open(os.path.join(tree, "ansible", "inventory.yml")).read()
    block = inventory.split(f"    {node}:\n", 1)[1]
    user = re.search(r'ansible_user: "([^"]+)"', block).group(1)
    host = re.search(r'ansible_host: "([^"]+)"', block).group(1)
    secrets = []
    for directory, _, names in os.walk(root):
        if "secrets.json" in names:
            secrets = json.load(open(os.path.join(directory, "secrets.json")))["files"]
    site = open(os.path.join(tree, "ansible", "site.yml")).read()
    play = site.split(f"  hosts: {node}\n", 1)[1].split("\n- name:", 1)[0]
    expected = []
    for on_node in sorted(files):
        # The mode spark-gen build gave the file in the tree (a fresh build: git keeps no 0600),
        # the owner the playbook names.
        mode = f"{os.stat(root + on_node).st_mode & 0o7777:04o}"
        match = re.search(rf'dest: "{re.escape(on_node)}"\n\s+mode: "\d+"\n\s+owner: "([^"]+)"', site)
        expected.append((on_node, mode, match.group(1)))
    units = sorted({path.split("/")[4].removesuffix(".d") for path in files if path.startswith("/etc/systemd/system/")})
    unit_files = [{"source": f"nodes/{node}{path}", "unit": path.split("/")[4]} for path in sorted(files)
                  if path.startswith("/etc/systemd/system/") and path.count("/") == 4]
    compose = sorted({os.path.dirname(path) for path in files if path.endswith("/compose.yaml")})
    # The pip lines sit in an `if` on PEP 668: the flag only where python3 is externally managed,
    # which the node's python3 decides: /usr/bin/python3 (/usr/local/bin is a tmpfs of stand-ins there).
    pip = re.search(r"^ +else\n +pip3 (install --user [^\n]*)\n", play, re.M)
    pip_words = shlex.split(pip.group(1)) if pip else []
    managed = subprocess.run([NODE_PYTHON, "-c", "import os, sysconfig; print(os.path.exists(os.path.join("
                              "sysconfig.get_paths()['stdlib'], 'EXTERNALLY-MANAGED')))"], capture_output=True, text=True).stdout.strip()
    if pip_words and managed == "True":
        pip_words.insert(2, "--break-system-packages")
    # The runbook's `hf download` lines, as the shell splits them: what --tags weights must run.
    downloads = []
    runbook = next(os.path.join(root + os.path.dirname(p), "RUNBOOK.md") for p in files if p.endswith("/RUNBOOK.md"))
    for line in open(runbook):
        if re.match(r"^\S*/\.local/bin/hf download ", line):
            command = shlex.split(line.split("   # ", 1)[0])
            if command not in downloads:
                downloads.append(command)
    # A config file a service reads only at start, where the node has one: its change must restart that service.
    drift_file = next((p for p in sorted(files) if p.endswith("/litellm-config.yaml")),
                      next((p for p in sorted(files) if p.endswith("/compose.yaml")), None))
    readers = readers_of(root, files, drift_file)
    return {"user": user, "home": "/home/" + user, "files": expected,
            "generated": [f["path"] for f in secrets if f["source"]["kind"] == "generated"],
            "by_hand": [f["path"] for f in secrets if f["source"]["kind"] != "generated"],
            "address": host if re.match(r"^\d+\.\d+\.\d+\.\d+$", host) else None, "drift_file": drift_file,
            "units": units, "unit_files": unit_files, "netplan": [p for p in sorted(files) if p.startswith("/etc/netplan/")],
            "compose": compose, "downloads": downloads, "pip": pip_words, "readers": readers,
            "verify": next(p for p in files if p.endswith("/scripts/verify.sh"))}


def readers_of(root, files, path):
    """The restarts a change of `path` asks for, as the stand-ins log them, read from the tree: each
    unit whose ExecStart names it, each compose service that mounts it (or its directory)."""
    calls = []
    for unit in sorted(p for p in files if p.startswith("/etc/systemd/system/")):
        name = unit.split("/")[4].removesuffix(".d")
        starts = [line for line in open(root + unit) if line.startswith("ExecStart=")]
        if any(path in re.split(r"[\s=]", line) for line in starts) and f"systemctl restart {name}" not in calls:
            calls += ["systemctl daemon-reload", f"systemctl restart {name}"]
    for compose in sorted(p for p in files if p.endswith("/compose.yaml")):
        service = None
        for line in open(root + compose):
            if re.match(r"^  [^ #][^:]*:\s*$", line):
                service = line.strip().rstrip(":")
            source = re.match(r"^\s*- (/[^:\s]+):", line)
            if service and source and (path == source.group(1) or path.startswith(source.group(1).rstrip("/") + "/")):
                calls.append(f"docker compose up -d --force-recreate {service} (in {os.path.dirname(compose)})")
    return calls


if __name__ == "__main__":
    sys.exit(main())
