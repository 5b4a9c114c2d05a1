#!/usr/bin/env python3
"""Proves a generated LiteLLM config with the real LiteLLM proxy.

  litellm_check.py --tree TREE_DIR --node NODE [--other-node NODE2] [--venv DIR]

For NODE of a tree written by `spark-gen build` it reads the generated litellm.service
(EnvironmentFile=, Environment=, UnsetEnvironment=, ExecStart=) and the litellm-config.yaml
that ExecStart names, then, as root:

  1. makes sure a venv holds litellm[proxy]==1.106.2 and prisma (default
     ~/.cache/spark-gen/litellm-venv, reused once complete);
  2. creates a private network namespace sgl-XXXXXXXX with lo up and every api_base
     address of the config on lo as /32, so nothing ever leaves the namespace;
  3. runs proof/stub_openai.py there on every api_base host:port (stands in for vLLM);
  4. writes throwaway EnvironmentFile= files with test secrets, the way the node's
     RUNBOOK creates the real ones, and builds the environment systemd would give;
  5. starts LiteLLM exactly as ExecStart says, with the venv's litellm and the config
     from the tree, and waits for /health/liveliness;
  6. checks: the owner's key lists every model_name (200), a chat completion with it
     round-trips to the stub (200) for every model_name, no key is 401, a wrong key
     (the other node's, with --other-node) is refused: 401, or the 400 no_db_connection
     that LiteLLM answers instead while it has no database (see DATABASE_VARIABLES).

Everything started is killed, the namespace deleted and the temp files removed, also on
failure, SIGTERM or Ctrl-C. Exits 0 when every check passes, 1 otherwise; the last line
is `litellm: N passed, N failed`.

The script runs twice: outside the namespace (venv, namespace, cleanup: it needs PyPI
and the host's `ip`) and, re-executed with `ip netns exec`, inside it (stub, LiteLLM,
checks), so the proxy, the stub and every request of the checks share one network
that holds nothing but them.
"""
import argparse
import fcntl
import ipaddress
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))

# Pinned: newer litellm releases need a certifi newer than the package mirror has.
# prisma is not a dependency of litellm[proxy], but without it LiteLLM's auth path fails
# on import and a request without a key gets 500 instead of 401. Its version is pinned to
# the one measured with this litellm, so a cached venv means one known combination.
REQUIREMENTS = ("litellm[proxy]==1.106.2", "prisma==0.15.0")
DEFAULT_VENV = os.path.expanduser("~/.cache/spark-gen/litellm-venv")

# systemd's default PATH for services: the unit gets nothing of the caller's environment.
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Every wait is bounded.
VENV_TIMEOUT = 900        # a cold install takes about a minute; the mirror may be slow
INSIDE_TIMEOUT = 600      # the whole inside part: stub, LiteLLM start, checks
STUB_TIMEOUT = 15
LIVENESS_TIMEOUT = 120
REQUEST_TIMEOUT = 30
STOP_GRACE = 10           # SIGTERM, then SIGKILL after this many seconds

# The RUNBOOK's secrets section writes each EnvironmentFile= file in a block like
#   [ -e /home/u/.x-key ] || ( umask 077
#     { printf 'LITELLM_MASTER_KEY=sk-%s\n' ...; } > /home/u/.x-key )
# Reading which variable goes into which file from there (instead of guessing) keeps a
# generator bug visible: a key written into a file the unit does not load is a key
# LiteLLM never sees.
RUNBOOK_SECRET_FILE = re.compile(r"\[ -e (\S+) \] \|\| \((.*?)>\s*\1 \)", re.S)
RUNBOOK_ASSIGNMENT = re.compile(r"printf '([A-Za-z_][A-Za-z0-9_]*)=")

# Why DATABASE_URL is left out of the environment (its EnvironmentFile is still written
# and loaded, with every other variable the RUNBOOK puts there):
# with DATABASE_URL set, litellm/proxy/proxy_cli.py runs the Prisma migrations before it
# serves anything. prisma-python's CLI then runs `npm install prisma@5.17.0` to fetch its
# engines, which cannot work here (no PostgreSQL, no network but PyPI and Debian), and
# LiteLLM stops with "Database migration cannot proceed" without ever listening (tried
# with postgresql://...@127.0.0.1:5432: not live after 150 s). With it unset,
# `database_url: os.environ/DATABASE_URL` resolves to None, proxy_cli skips all database
# setup and the proxy runs without a database. The master key is checked against its hash
# in memory, before any database lookup, so the checks below still exercise the same
# authentication the node does for the master key. What changes: a key that is not the
# master key is refused with 400 no_db_connection instead of the node's 401 (it cannot be
# looked up), so the wrong-key check accepts exactly that answer (see refusal()); virtual
# keys, kept in the database, are out of reach of this check.
DATABASE_VARIABLES = {"DATABASE_URL"}


class SetupError(Exception):
    """Something needed before the checks could not be done: reported as one failure."""


class Interrupted(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C so every finally block cleans up."""


def raise_interrupted(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


def say(text=""):
    print(text, flush=True)


def read_manifest(path):
    """({file: [variables]} of every file in secrets.json, {files its runbook generates}); ({}, set()) without one."""
    if not os.path.isfile(path):
        return {}, set()
    files = json.load(open(path))["files"]
    return ({entry["path"]: entry["variables"] for entry in files},
            {entry["path"] for entry in files if entry["source"]["kind"] == "generated"})


def manifest_disagreements(plan):
    """Where the RUNBOOK's secrets step and secrets.json disagree: either is a generator bug."""
    problems = []
    for path, variables in plan.files_from_runbook.items():
        if plan.files_from_manifest.get(path) != variables:
            problems.append(f"the RUNBOOK writes {path} with {variables}, secrets.json says {plan.files_from_manifest.get(path)}")
    for path in sorted(plan.generated_in_manifest - set(plan.files_from_runbook)):
        problems.append(f"secrets.json says the RUNBOOK generates {path}, which it does not")
    return problems


# ---------------------------------------------------------------------------------------
# Reading the tree


def node_path(tree, node, path):
    """Where a node's absolute path lives in the tree: nodes/<node>/<path>."""
    return os.path.join(tree, "nodes", node, path.lstrip("/"))


class Unit:
    """The [Service] settings of litellm.service and its drop-ins that matter here,
    merged in systemd's order (the unit, then litellm.service.d/*.conf sorted)."""

    def __init__(self, tree, node):
        unit = node_path(tree, node, "/etc/systemd/system/litellm.service")
        if not os.path.isfile(unit):
            raise SetupError(f"{unit} does not exist: node {node} has no LiteLLM in this tree")
        dropins = os.path.join(unit + ".d")
        paths = [unit] + (sorted(os.path.join(dropins, name) for name in os.listdir(dropins) if name.endswith(".conf"))
                          if os.path.isdir(dropins) else [])
        self.environment = {}           # Environment=
        self.unset = []                 # UnsetEnvironment=
        self.environment_files = []     # EnvironmentFile=, as (path, optional)
        self.exec_start = None
        self.user = "root"
        self.working_directory = None
        for path in paths:
            section = None
            for raw in open(path):
                line = raw.strip()
                if not line or line[0] in "#;":
                    continue
                if line.startswith("["):
                    section = line
                    continue
                if section != "[Service]" or "=" not in line:
                    continue
                key, value = (part.strip() for part in line.split("=", 1))
                if key == "Environment":
                    for assignment in shlex.split(value):
                        name, _, setting = assignment.partition("=")
                        self.environment[name] = setting
                elif key == "UnsetEnvironment":
                    self.unset += shlex.split(value)
                elif key == "EnvironmentFile":
                    if value:
                        # A leading '-' makes a missing file no error for systemd.
                        self.environment_files.append((value.lstrip("-"), value.startswith("-")))
                    else:
                        self.environment_files = []
                elif key == "ExecStart":
                    # An empty ExecStart= in a drop-in resets it, as in systemd.
                    self.exec_start = value or None
                elif key == "User":
                    self.user = value
                elif key == "WorkingDirectory":
                    self.working_directory = value
        if not self.exec_start:
            raise SetupError(f"{unit}: no ExecStart=")


class Plan:
    """Everything the run needs to know about one node, read from the tree."""

    def __init__(self, tree, node, venv):
        self.tree, self.node, self.venv = tree, node, venv
        self.unit = Unit(tree, node)

        # ExecStart: systemd's prefixes (-, @, +, !, :) are no part of the command.
        argv = shlex.split(self.unit.exec_start.lstrip("-@+!:"))
        if os.path.basename(argv[0]) != "litellm":
            raise SetupError(f"ExecStart runs {argv[0]}, not litellm")
        self.exec_argv = argv
        options = self.options(argv[1:])
        if "--config" not in options:
            raise SetupError("ExecStart has no --config")
        self.config_on_node = options["--config"]
        self.config_path = node_path(tree, node, self.config_on_node)
        if not os.path.isfile(self.config_path):
            raise SetupError(f"the config ExecStart names is not in the tree: {self.config_path}")
        # LiteLLM's own defaults when ExecStart does not say.
        self.host = options.get("--host", "0.0.0.0")
        self.port = int(options.get("--port", "4000"))

        self.config = load_yaml(venv, self.config_path) or {}
        general = self.config.get("general_settings") or {}
        self.model_names = [entry["model_name"] for entry in self.config.get("model_list") or []]
        if not self.model_names:
            raise SetupError(f"{self.config_path}: model_list is empty")
        self.upstreams = self.read_upstreams()
        self.environment_references = sorted(set(environment_references(self.config)))

        # The owner holds the key the unit's environment gives LiteLLM: the variable that
        # general_settings.master_key names, or LiteLLM's own LITELLM_MASTER_KEY when the
        # config does not read it from the environment (then the check shows whether the
        # proxy really uses the key the owner has).
        master = general.get("master_key")
        if isinstance(master, str) and master.startswith("os.environ/"):
            self.master_key_variable = master[len("os.environ/"):]
        else:
            self.master_key_variable = "LITELLM_MASTER_KEY"

        self.runbook = os.path.join(os.path.dirname(self.config_path), "RUNBOOK.md")
        if self.unit.working_directory:
            self.runbook = node_path(tree, node, os.path.join(self.unit.working_directory, "RUNBOOK.md"))
        self.files_from_runbook = read_runbook_secrets(self.runbook)
        # secrets.json (beside the RUNBOOK) is the layout as data; the RUNBOOK must agree with it.
        self.manifest = os.path.join(os.path.dirname(self.runbook), "secrets.json")
        self.files_from_manifest, self.generated_in_manifest = read_manifest(self.manifest)

    @staticmethod
    def options(arguments):
        """--name value and --name=value pairs of a command line."""
        found, index = {}, 0
        while index < len(arguments):
            argument = arguments[index]
            if argument.startswith("--") and "=" in argument:
                name, _, value = argument.partition("=")
                found[name] = value
            elif argument.startswith("--") and index + 1 < len(arguments):
                found[argument] = arguments[index + 1]
                index += 1
            index += 1
        return found

    def read_upstreams(self):
        """{(host, port): [served model names]} for every api_base of the model list."""
        upstreams = {}
        for entry in self.config.get("model_list") or []:
            params = entry.get("litellm_params") or {}
            base = params.get("api_base")
            if not base:
                raise SetupError(f"model {entry.get('model_name')} has no api_base: nothing local to stand in for")
            url = urllib.parse.urlsplit(base)
            if url.scheme != "http":
                raise SetupError(f"api_base {base}: the stub speaks plain http only")
            try:
                ipaddress.ip_address(url.hostname)
            except ValueError:
                raise SetupError(f"api_base {base}: host is not an IP address; only literal addresses can be made local")
            # The name vLLM serves is the model without LiteLLM's provider prefix.
            served = params.get("model", "")
            for prefix in ("openai/", "hosted_vllm/"):
                if served.startswith(prefix):
                    served = served[len(prefix):]
            upstreams.setdefault((url.hostname, url.port or 80), []).append(served)
        return upstreams


def load_yaml(venv, path):
    """Parse YAML with the PyYAML of the venv (LiteLLM's own dependency), so the system
    python needs nothing beyond the standard library."""
    program = "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)"
    result = subprocess.run([os.path.join(venv, "bin", "python"), "-c", program, path],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise SetupError(f"{path} is not valid YAML:\n{result.stderr.strip()}")
    return json.loads(result.stdout)


def environment_references(value):
    """Every NAME of an `os.environ/NAME` string anywhere in the config."""
    if isinstance(value, dict):
        for item in value.values():
            yield from environment_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from environment_references(item)
    elif isinstance(value, str) and value.startswith("os.environ/"):
        yield value[len("os.environ/"):]


def read_runbook_secrets(runbook):
    """{file: [variables]} that the RUNBOOK's secrets section writes; {} without one."""
    if not os.path.isfile(runbook):
        return {}
    text = open(runbook).read()
    return {match.group(1): RUNBOOK_ASSIGNMENT.findall(match.group(2)) for match in RUNBOOK_SECRET_FILE.finditer(text)}


# ---------------------------------------------------------------------------------------
# Outside the namespace: venv, namespace, cleanup


def ensure_venv(venv):
    """Install REQUIREMENTS into venv unless a complete install is already there.

    'Complete' is a marker written only after pip succeeded, holding the requirements it
    installed: an interrupted install or other requirements install again. A lock keeps
    two runs from installing into the same venv at once."""
    marker = os.path.join(venv, ".spark-gen-requirements")
    wanted = "\n".join(REQUIREMENTS) + "\n"
    os.makedirs(venv, exist_ok=True)
    with open(os.path.join(os.path.dirname(os.path.abspath(venv)), "." + os.path.basename(venv) + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (os.path.isfile(marker) and open(marker).read() == wanted
                and os.access(os.path.join(venv, "bin", "litellm"), os.X_OK)):
            say(f"venv: {venv} reused ({', '.join(REQUIREMENTS)})")
            return
        say(f"venv: installing {' '.join(REQUIREMENTS)} into {venv} (about 740 MB, about a minute)")
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
        log_path = os.path.join(venv, "pip-install.log")
        with open(log_path, "w") as log:
            result = subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", *REQUIREMENTS],
                                    stdout=log, stderr=subprocess.STDOUT, timeout=VENV_TIMEOUT)
        if result.returncode != 0:
            raise SetupError(f"pip install failed (exit {result.returncode}):\n{tail(log_path, 20)}")
        installed = [line for line in open(log_path) if line.startswith("Successfully installed")]
        count = len(installed[0].split()) - 2 if installed else 0
        say(f"venv: installed {count} packages in {time.monotonic() - started:.0f} s (list: {log_path})")
        with open(marker, "w") as handle:
            handle.write(wanted)


def ip(*arguments):
    result = subprocess.run(["ip", *arguments], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise SetupError(f"ip {' '.join(arguments)}: {result.stderr.strip()}")
    return result.stdout


def namespace_pids(namespace):
    result = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True, timeout=30)
    return [int(pid) for pid in result.stdout.split()] if result.returncode == 0 else []


def remove_namespace(namespace):
    """Kill every process in the namespace (they are all ours: nobody else knows its
    name), then delete it. SIGTERM first so LiteLLM and the inner run clean up."""
    for signum, grace in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 5)):
        pids = namespace_pids(namespace)
        for pid in pids:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while pids and time.monotonic() < deadline:
            time.sleep(0.2)
            pids = namespace_pids(namespace)
        if not pids:
            break
    subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30)


def outside(arguments):
    if os.geteuid() != 0:
        raise SetupError("needs root: it creates a network namespace")
    # Fail on a wrong tree or node before spending a minute on the venv.
    Unit(arguments.tree, arguments.node)
    if arguments.other_node:
        Unit(arguments.tree, arguments.other_node)
    ensure_venv(arguments.venv)
    plan = Plan(arguments.tree, arguments.node, arguments.venv)

    namespace = "sgl-" + secrets.token_hex(4)
    created = False     # never sweep a namespace of the same name that is not ours
    workdir = inner = None
    try:
        workdir = tempfile.mkdtemp(prefix="sgl-")   # mode 0700; holds the test secrets and logs
        ip("netns", "add", namespace)
        created = True
        ip("-n", namespace, "link", "set", "lo", "up")
        # The api_base addresses become the namespace's own: the proxy's requests to them
        # reach the stub on lo, and no route leads anywhere else.
        local = []
        for host, _port in plan.upstreams:
            address = ipaddress.ip_address(host)
            if address.is_loopback:
                continue
            prefix = f"{address}/{address.max_prefixlen}"
            if prefix not in local:
                ip("-n", namespace, "addr", "add", prefix, "dev", "lo")
                local.append(prefix)
        say(f"namespace: {namespace}, lo up" + (f", {' '.join(local)} on lo" if local else ""))

        command = ["ip", "netns", "exec", namespace, sys.executable, os.path.abspath(__file__),
                   "--tree", arguments.tree, "--node", arguments.node, "--venv", arguments.venv,
                   "--inside", namespace, "--workdir", workdir]
        if arguments.other_node:
            command += ["--other-node", arguments.other_node]
        inner = subprocess.Popen(command)
        try:
            return inner.wait(timeout=INSIDE_TIMEOUT)
        except subprocess.TimeoutExpired:
            say(f"FAIL the run inside the namespace took longer than {INSIDE_TIMEOUT} s")
            say("litellm: 0 passed, 1 failed")
            return 1
    except (KeyboardInterrupt, Interrupted):
        # Ctrl-C from a terminal reaches the inner run too; a signal sent to this process
        # alone does not, so pass it on, and give it the time to stop what it started.
        if inner is not None and inner.poll() is None:
            inner.send_signal(signal.SIGTERM)
            try:
                inner.wait(timeout=STOP_GRACE + 10)
            except subprocess.TimeoutExpired:
                pass
        raise
    finally:
        # No second Ctrl-C may cut the cleanup short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if created:
            remove_namespace(namespace)
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# Inside the namespace: stub, environment, LiteLLM, checks

# No proxy from the caller's environment may carry a request out of the namespace.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method, url, key=None, body=None, timeout=REQUEST_TIMEOUT):
    """(status, parsed JSON or text) of one request; status None when none came."""
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with OPENER.open(request, timeout=timeout) as response:
            status, text = response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    except (urllib.error.URLError, OSError) as error:
        return None, str(error)
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as handle:
            return "".join(handle.readlines()[-lines:]).rstrip()
    except OSError:
        return ""


def test_value(name):
    """A throwaway value shaped like the real one: keys as the RUNBOOK makes them (sk-…)."""
    if "KEY" in name or "TOKEN" in name:
        return "sk-test-" + secrets.token_hex(24)
    return "test-" + secrets.token_hex(16)


def write_private(path, text):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def read_environment_file(path):
    """KEY=VALUE lines as systemd reads them (comments, optional quotes)."""
    values = {}
    for raw in open(path):
        line = raw.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def secret_files(plan, root):
    """Write the node's EnvironmentFile= files under root with test values.

    Returns the owner's key: the value made for the master key variable, whether or not
    a file the unit loads holds it. Each file gets the variables secrets.json lists for it
    (after checking that the RUNBOOK writes the same); without a manifest, those the RUNBOOK
    writes; without either, the first file gets every variable the config reads."""
    if plan.files_from_manifest:
        problems = manifest_disagreements(plan)
        if problems:
            raise SetupError("; ".join(problems))
    layout = dict(plan.files_from_manifest or plan.files_from_runbook)
    if not layout:
        say(f"note: no secrets section in {plan.runbook}: every variable the config reads goes into the first EnvironmentFile")
        needed = sorted(set(plan.environment_references) | {plan.master_key_variable})
        layout = {path: needed if index == 0 else [] for index, (path, _) in enumerate(plan.unit.environment_files)}
    names = {name for names in layout.values() for name in names} | set(plan.environment_references) | {plan.master_key_variable}
    values = {name: test_value(name) for name in sorted(names)}

    loaded = {path for path, _ in plan.unit.environment_files}
    for path, variables in layout.items():
        if path not in loaded:
            say(f"note: the RUNBOOK writes {path} ({', '.join(variables)}) but litellm.service does not load it")
    written = set()
    for path, _optional in plan.unit.environment_files:
        if path not in layout:
            # systemd refuses to start a unit whose EnvironmentFile is missing (without '-'),
            # so the node would need it; make it empty and say so.
            say(f"note: litellm.service loads {path} but the RUNBOOK does not create it")
        lines, shown = [], []
        for name in layout.get(path, []):
            if name in DATABASE_VARIABLES:
                lines.append(f"# {name} left out: no database here (see DATABASE_VARIABLES in litellm_check.py)\n")
                shown.append(f"{name} left out")
            else:
                lines.append(f"{name}={values[name]}\n")
                shown.append(name)
                written.add(name)
        write_private(os.path.join(root, path.lstrip("/")), "".join(lines))
        say(f"env file: {path} ({', '.join(shown) or 'empty'})")
    for name in plan.environment_references:
        if name not in written and name not in DATABASE_VARIABLES:
            say(f"note: the config reads os.environ/{name} but no EnvironmentFile the unit loads sets it")
    return values[plan.master_key_variable]


def service_environment(plan, root, home):
    """The environment systemd gives the unit: nothing of the caller's, then Environment=,
    then the EnvironmentFile= files in order, then UnsetEnvironment=. (User= only names
    USER and LOGNAME here: the process runs as root, which owns the venv.)"""
    environment = {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8", "HOME": home, "USER": plan.unit.user,
                   "LOGNAME": plan.unit.user, "SHELL": "/bin/sh"}
    environment.update(plan.unit.environment)
    for path, optional in plan.unit.environment_files:
        staged = os.path.join(root, path.lstrip("/"))
        if not os.path.isfile(staged):
            if optional:
                continue
            raise SetupError(f"EnvironmentFile {path} is missing: systemd would not start the unit")
        environment.update(read_environment_file(staged))
    for name in plan.unit.unset:
        environment.pop(name, None)
    # Test-only: LiteLLM would otherwise fetch its model cost map from the internet.
    environment["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    return environment


def in_namespace(namespace):
    """Whether this process runs in that namespace (same nsfs inode)."""
    mine, named = os.stat("/proc/self/ns/net"), os.stat(f"/run/netns/{namespace}")
    return (mine.st_dev, mine.st_ino) == (named.st_dev, named.st_ino)


def start(command, log_path, **options):
    """Start a process in its own session (so its whole group can be stopped, and a
    terminal's Ctrl-C reaches only this script, which then stops it in order)."""
    log = open(log_path, "w")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, **options)


def stop(process):
    if process is None or process.poll() is not None:
        return
    for signum, grace in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_until(condition, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def run_checks(plan, base, owner_key, owner_label, wrong_key, wrong_label, nonce):
    """Yield (ok, description) for every check."""
    models_url, chat_url = f"{base}/v1/models", f"{base}/v1/chat/completions"

    status, body = http("GET", models_url, owner_key)
    listed = [item.get("id") for item in body.get("data", [])] if isinstance(body, dict) else []
    missing = [name for name in plan.model_names if name not in listed]
    yield (status == 200 and not missing,
           f"GET /v1/models with {owner_label} -> {status}, lists {', '.join(listed) or 'nothing'}"
           + (f" (missing {', '.join(missing)})" if missing else ""))

    for name in plan.model_names:
        request = {"model": name, "messages": [{"role": "user", "content": "ping"}]}
        status, body = http("POST", chat_url, owner_key, request)
        try:
            content = body["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            content = ""
        came_through = nonce in content
        yield (status == 200 and came_through,
               f"POST /v1/chat/completions model={name} with {owner_label} -> {status}, "
               + (f"stub answered: {content!r}" if came_through else f"no stub answer: {str(body)[:300]!r}"))

    # Without a key and with a wrong one, both endpoints must refuse: the chat one is
    # what spends the GPU, the models one is what a scanner tries first.
    ping = {"model": plan.model_names[0], "messages": [{"role": "user", "content": "ping"}]}
    for key, label, accepted in ((None, "no key", "401"), (wrong_key, wrong_label, "401, or 400 no_db_connection")):
        answers = [refusal(*http("GET", models_url, key), wrong_key=key is not None),
                   refusal(*http("POST", chat_url, key, ping), wrong_key=key is not None)]
        yield (all(ok for ok, _ in answers),
               f"{label} -> GET /v1/models {answers[0][1]}, POST /v1/chat/completions {answers[1][1]} (want {accepted})")


def refusal(status, body, wrong_key):
    """(refused as it must be, how it answered).

    No key must be 401. A wrong key is 401 on the node, where LiteLLM looks it up in its
    database and finds nothing; with no database (see DATABASE_VARIABLES) LiteLLM
    compares a key with the master key only and refuses any other with 400 and error
    type no_db_connection (litellm/proxy/auth/user_api_key_auth.py) before that lookup.
    That exact answer counts as the refusal it stands for; any other 400, or a 200, fails."""
    error_type = body.get("error", {}).get("type") if isinstance(body, dict) and isinstance(body.get("error"), dict) else None
    if status == 401:
        return True, "401"
    if wrong_key and status == 400 and error_type == "no_db_connection":
        return True, "400 no_db_connection"
    return False, f"{status}" + (f" {error_type}" if error_type else "")


def inside(arguments):
    namespace, workdir = arguments.inside, arguments.workdir
    # Never run the proxy on the host's network by mistake.
    if not in_namespace(namespace):
        raise SetupError(f"--inside {namespace}: this process is not in that network namespace")
    plan = Plan(arguments.tree, arguments.node, arguments.venv)
    root, home, cwd = (os.path.join(workdir, part) for part in ("root", "home", "cwd"))
    for path in (home, cwd):
        os.makedirs(path, mode=0o700)

    owner_label = f"{plan.node}'s key"
    owner_key = secret_files(plan, root)
    if arguments.other_node:
        # The other node's key: made the way its RUNBOOK makes it, a different random sk- key.
        other = Plan(arguments.tree, arguments.other_node, arguments.venv)
        wrong_key, wrong_label = test_value(other.master_key_variable), f"{other.node}'s key"
    else:
        wrong_key, wrong_label = test_value(plan.master_key_variable), "a wrong key"
    assert wrong_key != owner_key
    environment = service_environment(plan, root, home)
    say(f"environment: {' '.join(sorted(environment))}")

    stub = litellm = None
    nonce = secrets.token_hex(8)
    results = []
    try:
        # The stub serves, on each api_base, the models the config routes there.
        serve = [f"{'[%s]' % host if ':' in host else host}:{port}={','.join(models)}"
                 for (host, port), models in plan.upstreams.items()]
        stub_log = os.path.join(workdir, "stub.log")
        stub = start([sys.executable, os.path.join(HERE, "stub_openai.py"), "--nonce", nonce,
                      *[argument for item in serve for argument in ("--serve", item)]],
                     stub_log, env={"PATH": SYSTEMD_PATH})
        for (host, port), models in plan.upstreams.items():
            url = f"http://{'[%s]' % host if ':' in host else host}:{port}/v1/models"
            if not wait_until(lambda: stub.poll() is None and http("GET", url, timeout=2)[0] == 200, STUB_TIMEOUT):
                raise SetupError(f"stub not answering on {url}:\n{tail(stub_log)}")
            say(f"stub: {host}:{port} serves {', '.join(models)}")

        # ExecStart as generated, with the venv's litellm and the config from the tree.
        options = plan.exec_argv[1:]
        command = [os.path.join(plan.venv, "bin", "litellm")]
        index = 0
        while index < len(options):
            if options[index] == "--config":
                command += ["--config", plan.config_path]
                index += 2
                continue
            if options[index].startswith("--config="):
                command.append(f"--config={plan.config_path}")
            else:
                command.append(options[index])
            index += 1
        say(f"ExecStart: {shlex.join(plan.exec_argv)}")
        say(f"running:   ip netns exec {namespace} {shlex.join(command)}")
        # The cwd is a scratch dir rather than the tree's copy of WorkingDirectory, so
        # nothing LiteLLM writes lands in a committed tree; the config path is absolute.
        litellm_log = os.path.join(workdir, "litellm.log")
        started = time.monotonic()
        litellm = start(command, litellm_log, env=environment, cwd=cwd)
        connect = "127.0.0.1" if plan.host in ("0.0.0.0", "") else ("::1" if plan.host == "::" else plan.host)
        base = f"http://{'[%s]' % connect if ':' in connect else connect}:{plan.port}"
        if not wait_until(lambda: litellm.poll() is not None or http("GET", f"{base}/health/liveliness", timeout=2)[0] == 200,
                          LIVENESS_TIMEOUT) or litellm.poll() is not None:
            state = f"exited with {litellm.returncode}" if litellm.poll() is not None else f"not live after {LIVENESS_TIMEOUT} s"
            raise SetupError(f"LiteLLM {state}:\n{tail(litellm_log)}")
        say(f"litellm: live on {base} after {time.monotonic() - started:.1f} s")

        for ok, description in run_checks(plan, base, owner_key, owner_label, wrong_key, wrong_label, nonce):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        if not all(results):
            say("--- litellm log (last lines)")
            say(tail(litellm_log, 30))
            say("--- stub log (last lines)")
            say(tail(stub_log, 15))
    except SetupError as error:
        results.append(False)
        say(f"FAIL {error}")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(litellm)
        stop(stub)
    say(f"litellm: {results.count(True)} passed, {results.count(False)} failed")
    return 0 if results and all(results) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True, help="output tree of `spark-gen build`")
    parser.add_argument("--node", required=True, help="node whose LiteLLM to check")
    parser.add_argument("--other-node", help="use this node's (different) key as the wrong key")
    parser.add_argument("--venv", default=DEFAULT_VENV, help=f"venv for LiteLLM (default {DEFAULT_VENV})")
    # Internal: the re-executed run inside the namespace.
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    arguments.tree = os.path.abspath(arguments.tree)
    arguments.venv = os.path.abspath(arguments.venv)

    signal.signal(signal.SIGTERM, raise_interrupted)
    signal.signal(signal.SIGHUP, raise_interrupted)
    try:
        return inside(arguments) if arguments.inside else outside(arguments)
    except SetupError as error:
        say(f"FAIL {error}")
        say("litellm: 0 passed, 1 failed")
        return 1
    except (KeyboardInterrupt, Interrupted) as error:
        # The run outside the namespace reports it, once, after its own cleanup.
        if not arguments.inside:
            say(f"litellm: interrupted ({'Ctrl-C' if isinstance(error, KeyboardInterrupt) else error}), cleaned up")
        return 1


if __name__ == "__main__":
    sys.exit(main())
