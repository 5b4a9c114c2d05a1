#!/usr/bin/env python3
"""Proves a generated LiteLLM config with the real LiteLLM proxy.

  litellm_check.py --tree TREE_DIR --node NODE [--other-node NODE2] [--venv DIR]

For NODE of a tree written by `spark-gen build` it learns how the node starts LiteLLM, from
either of the two launchers spark-gen generates (a node with both, or neither, fails):

  systemd  etc/systemd/system/litellm.service and its drop-ins: EnvironmentFile=,
           Environment=, UnsetEnvironment=, ExecStart= (whose --config names the config);
  compose  the service of the node's compose.yaml that runs LiteLLM's image
           (ghcr.io/berriai/litellm…): its image's entrypoint runs `litellm "$@"` with the
           service's `command` (the image's CMD is `--port 4000`), the config is the host
           side of the bind mount that holds the container path --config names, the
           environment is `env_file:` then `environment:`. The service must use the host
           network (network_mode: host): in a network of its own, 127.0.0.1 is the
           container and no loopback api_base or --host would mean what it says on the node.

Then, as root:

  1. makes sure a venv holds litellm[proxy]==1.106.2 and prisma (default
     ~/.cache/spark-gen/litellm-venv, reused once complete);
  2. creates a private network namespace sgl-XXXXXXXX with lo up and every api_base
     address of the config on lo as /32, so nothing ever leaves the namespace; an api_base
     whose host is the tailnet (MagicDNS) name of a backend's host in the trust report
     (--intent: its hosts and backends) gets an address of 100.127.254.0/24 there, and the
     inner run gets an /etc/hosts of its own (a private mount namespace) that maps the name
     to it; the named-host lines check that the api_base is that backend's and that the
     name resolves to the stub's address;
  3. runs proof/stub_openai.py there, one process per api_base host:port, speaking the API
     of the runtime behind it: Ollama's native API for ollama_chat/ models, the
     OpenAI-compatible API under /v1 (vLLM, llama.cpp) for openai/ and hosted_vllm/ ones;
  4. writes throwaway env files with test secrets, the way the node's RUNBOOK creates the
     real ones (the RUNBOOK's secrets step must agree with secrets.json on each file's
     variables, mode and owner), and builds the environment systemd or compose would give;
  5. starts the venv's litellm with the launcher's arguments and the config from the tree
     (`--config <tree copy> --host H --port P`), and waits for /health/liveliness;
  6. checks: /health/readiness answers 200 without a key (no database here); the owner's
     key lists every model_name (200); a chat completion with it round-trips to the stub
     (200), plain and streamed, for every model_name; no key is 401; a wrong key (the other
     node's, with --other-node) is refused: 401, or the 400 no_db_connection that LiteLLM
     answers instead while it has no database (see DATABASE_VARIABLES);
     and the node's own checks (proof/node_scripts.py), after NGINX is up when the node has
     it: scripts/smoke.sh, unchanged, and verify.sh's LiteLLM section, in a private mount
     namespace whose /home holds the throwaway env files at their node paths, send every
     model a one-token completion and pass; then, each api_base's stub stopped in turn, they
     fail and show LiteLLM's error for the models routed there, while /v1/models still lists
     them (a check of the list alone would pass);
  6b. the router settings and timeouts the file sets are the ones LiteLLM holds: its own
     config loader's Router, and the running proxy's GET /router/settings; where NGINX is
     in front, LiteLLM's request timeout is not shorter than NGINX's (router_settings.py);
  7. a backend that is down fails only its own model: for each api_base in turn its stub is
     stopped, each model routed there must get an error status within DOWN_TIMEOUT that
     carries no model's answer, no other backend may receive the request (no fallback),
     another model must still answer 200 right after, and once the stub is back the model
     must answer 200 again within RECOVERY_TIMEOUT. A model with fallbacks is left out
     of this step: step 8 proves where its requests go;
  7b. an api_base whose server's command in the tree requires a key (vllm serve with
     VLLM_API_KEY from an env_file, or --api-key; or the LiteLLM of another owner's gateway
     that offers this owner models, which takes the virtual key it minted: the value of its
     offered-key file, secrets.json kind virtual-key with models) gets a stub that answers
     401 without that key: the value of the serving node's file, staged as its secrets.json says; a copied
     file of this node (secrets.json source kind "copied") holds its source's values, and
     the RUNBOOK must copy it (scp SSH:PATH PATH). The key lines check the stub refuses no
     key and another key and answers the key, and that LiteLLM's chat requests there all
     got 200; the last step rewrites the copy with another key, restarts LiteLLM and wants
     that model's requests to fail on the stub's 401 while another model still answers;
  8. when the config routes between models (router_settings.fallbacks, model_group_alias,
     litellm_params.max_parallel_requests; otherwise a note says there is nothing to route),
     proves each route end to end against the stubs (see routing_checks): a model at its
     max_parallel_requests spills the next request to the first model of its chain at
     once, while the held ones finish on its own backend (spill); a model whose backend is
     down is answered down its chain, transitively (outage); a senior model (an empty
     chain) that is down gives its callers an error, by its name and its aliases, and no
     other backend hears of the request (senior); each alias answers from its model and,
     with that model down, from the model's first fallback (alias). The answering backend
     is told by the model its stub names in the answer and by the stub's log.

Every chat request carries a prompt of its own, so LiteLLM's response cache (below) never
answers one in the backend's place; only the cache check repeats one on purpose.

When the node's compose file has a Redis service (proof/redis_run.py), it runs before
LiteLLM as its compose command says, unchanged (compose's `$$` being `$`): the official
image's entrypoint, `sh -c "printf 'requirepass %s\n' \"$REDIS_PASSWORD\" | exec
docker-entrypoint.sh redis-server - --bind … --port … --save '' --appendonly no"` with the
service's env files (the throwaway ones of step 4), Debian's redis-server. Checks: a client
without the password gets NOAUTH on every address it listens on; no process has a
secret of the service's env files on its command line, and redis-server is given no
password option (Redis rewrites its process title, so /proc alone would not show one);
and when the config caches in
Redis (litellm_settings.cache with cache_params.type redis), its host:port is where the
service listens, its password opens Redis (AUTH, PING), and an identical chat request
sent twice reaches the backend once, while Redis holds the answer under a new key
(LiteLLM keeps an in-process copy in front of Redis, so the second answer may come from
there: the key in Redis is what shows that LiteLLM writes the cache there, with the
password). A config that caches in Redis on a node with no Redis service fails.

When the node's compose file has an NGINX service (proof/nginx_run.py), it runs in front of
LiteLLM in a private mount namespace as the container would see its files, the TLS pair
made by the node's scripts/certs.sh, unchanged, run in that namespace (a scratch copy of
the node's /home from the tree is its /home). Through https on the address its conf
listens on: the certificate served is the one certs.sh made and verifies for 127.0.0.1
and each server_name; /health/liveliness 200; /v1/models 200 with the owner's key and 401 without; a streamed
chat completion arrives in several SSE chunks, the first at least (pieces-1)×pause before
the last, from a stub that sends its pieces SLOW_PAUSE apart (stub_openai.py's
SLOW_MARKER), so NGINX passes the stream on as it comes; and no Strict-Transport-Security
header with the self-signed pair (with a certificate the topology names, one is required).
LiteLLM 1.106.2 sends `X-Accel-Buffering: no` with its streams, which turns NGINX's
buffering off for that response whatever proxy_buffering says: the streaming check proves
streaming end to end through this NGINX and this LiteLLM, not the directive by itself.

The database stays out as in step 4 (see DATABASE_VARIABLES), litellm-db or not.

Everything started is killed, the namespace deleted and the temp files removed, also on
failure, SIGTERM or Ctrl-C. Exits 0 when every check passes, 1 otherwise; the last line
is `litellm: N passed, N failed`.

The script runs twice: outside the namespace (venv, namespace, cleanup: it needs PyPI
and the host's `ip`) and, re-executed with `ip netns exec`, inside it (stubs, LiteLLM,
checks), so the proxy, the stubs and every request of the checks share one network
that holds nothing but them.
"""
import argparse
import glob
import ipaddress
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPSConnection

import nginx_run
import node_scripts
import redis_run
import router_settings
from stub_openai import SLOW_MARKER, SLOW_PAUSE, SLOW_PIECES
import cached_venv

HERE = os.path.dirname(os.path.abspath(__file__))

# Pinned: newer litellm releases need a certifi newer than the package mirror has.
# prisma is not a dependency of litellm[proxy], but without it LiteLLM's auth path fails
# on import and a request without a key gets 500 instead of 401. Its version is pinned to
# the one measured with this litellm, so a cached venv means one known combination.
REQUIREMENTS = ("litellm[proxy]==1.106.2", "prisma==0.15.0")
DEFAULT_VENV = os.path.expanduser("~/.cache/spark-gen/litellm-venv")

# systemd's default PATH for services: the unit gets nothing of the caller's environment.
# The compose case uses it too: LiteLLM's image sets a PATH of its own, which matters to
# nobody here (the venv's litellm is started by its full path).
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Every wait is bounded.
VENV_TIMEOUT = 900        # a cold install takes about a minute; the mirror may be slow
INSIDE_TIMEOUT = 900      # the whole inside part: stubs, LiteLLM start, checks, the node scripts
STUB_TIMEOUT = 15
LIVENESS_TIMEOUT = 120
REQUEST_TIMEOUT = 30
DOWN_TIMEOUT = 30         # a request for a model whose backend is down must be answered sooner
RECOVERY_TIMEOUT = 30     # and the model must answer again this soon after its backend is back
STOP_GRACE = 10           # SIGTERM, then SIGKILL after this many seconds
REDIS_TIMEOUT = 15        # redis-server answering after its start
CACHE_TIMEOUT = 10        # LiteLLM writes an answer into the cache after it answered
NGINX_TIMEOUT = 60        # certs.sh (an RSA key) and nginx, until LiteLLM answers through it
HOLD = 6.0                # seconds a slowed stub holds each chat request in the spill check
SPILL_WITHIN = 2.0        # the request past a model's cap must be answered sooner (well under HOLD)
ARRIVE_TIMEOUT = 10       # the held requests must reach the slowed stub this soon

# The RUNBOOK's secrets section writes each env file in a block like
#   [ -e /home/u/.x-key ] || ( umask 077
#     { printf 'LITELLM_MASTER_KEY=sk-%s\n' ...; } > /home/u/.x-key )
# or, for a file a compose service loads (docker compose reads it as whoever runs it, so
# it belongs to root and the docker group),
#   [ -e /home/u/s/.env ] || ( umask 077
#     { printf ...; } | sudo install -m 0640 -o root -g docker /dev/stdin /home/u/s/.env )
# Reading which variable goes into which file, with which mode and owner, from there
# (instead of guessing) keeps a generator bug visible: a key written into a file the
# launcher does not load is a key LiteLLM never sees.
RUNBOOK_SECRET_FILE = re.compile(
    r"\[ -e (\S+) \] \|\| \((.*?)"
    r"(?:>\s*\1|\|\s*(?:sudo\s+)?install\s+((?:-[mog]\s+\S+\s+)*)/dev/stdin\s+\1) \)", re.S)
RUNBOOK_ASSIGNMENT = re.compile(r"printf '([A-Za-z_][A-Za-z0-9_]*)=")
RUNBOOK_UMASK = re.compile(r"\bumask (0?[0-7]{3})\b")
# "Run the steps in order, on this node as me (...)": who runs the steps, so who owns a
# file a step writes with a plain redirection.
RUNBOOK_USER = re.compile(r"on this node as \**([a-z_][a-z0-9_.-]*)\**", re.I)

# LiteLLM's images, whatever the registry and variant (litellm, litellm-database, …).
LITELLM_IMAGE = re.compile(r"^(?:[^/]+/)*berriai/litellm(?:-[a-z0-9_]+)?(?:[:@].*)?$")
# Branches of the image's docker/prod_entrypoint.sh that run something other than
# `exec litellm "$@"`: not modeled here, so a service that takes one fails.
ENTRYPOINT_BRANCHES = {"SEPARATE_HEALTH_APP": "1", "USE_DDTRACE": "true", "USE_NEWRELIC": "true"}
COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")

# Provider prefixes of litellm_params.model -> the API of the backend behind the api_base,
# and the name that backend serves (the model without the prefix).
PROVIDERS = {"openai/": "openai", "hosted_vllm/": "openai", "ollama_chat/": "ollama"}

# Why DATABASE_URL is left out of the environment (its env file is still written and
# loaded, with every other variable the RUNBOOK puts there):
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
# keys, kept in the database, are out of reach of this check; and /health/readiness
# answers 200 with "db": "Not connected" where the node, with its database down, would
# answer 503.
DATABASE_VARIABLES = {"DATABASE_URL"}


class SetupError(Exception):
    """Something needed before the checks could not be done: reported as one failure."""


class ConfigOnly(Exception):
    """--config-only: the checks of the config are done, nothing was started."""


class FailFast(Exception):
    """--fail-fast: a part of the checks failed; the rest is skipped."""


class Interrupted(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C so every finally block cleans up."""


def raise_interrupted(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


def say(text=""):
    print(text, flush=True)


# ---------------------------------------------------------------------------------------
# Secret files: the RUNBOOK's secrets step and secrets.json


def read_manifest(path):
    """{file: entry} of every file in secrets.json ({} without one)."""
    if not os.path.isfile(path):
        return {}
    return {entry["path"]: entry for entry in json.load(open(path))["files"]}


def read_runbook_secrets(runbook):
    """{file: {"variables", "mode", "owner"}} that the RUNBOOK's secrets section writes; {} without one.

    mode and owner are what the step makes: `install -m M -o O -g G` says them; a plain
    redirection makes a new file 0666 minus the block's umask, owned by who runs the step
    (the user the RUNBOOK names, None when it names nobody). mode is None without a umask:
    then it depends on the operator's shell."""
    if not os.path.isfile(runbook):
        return {}
    text = open(runbook).read()
    user = RUNBOOK_USER.search(text)
    files = {}
    for match in RUNBOOK_SECRET_FILE.finditer(text):
        path, block, install = match.group(1), match.group(2), match.group(3)
        if install is not None:
            options = dict(re.findall(r"(-[mog])\s+(\S+)", install))
            mode = options.get("-m")
            owner = options.get("-o", "root") + (f":{options['-g']}" if "-g" in options else "")
        else:
            umask = RUNBOOK_UMASK.search(block)
            mode = f"0{0o666 & ~int(umask.group(1), 8):o}" if umask else None
            owner = user.group(1) if user else None
        files[path] = {"variables": RUNBOOK_ASSIGNMENT.findall(block), "mode": mode, "owner": owner}
    return files


def normal_mode(mode):
    return None if mode is None else f"0{int(str(mode), 8):o}"


def manifest_disagreements(plan):
    """Where the RUNBOOK's secrets step and secrets.json disagree: either is a generator bug."""
    problems = []
    for path, written in plan.runbook_files.items():
        entry = plan.manifest.get(path)
        if entry is None or entry["variables"] != written["variables"]:
            problems.append(f"the RUNBOOK writes {path} with {written['variables']}, secrets.json says "
                            f"{entry['variables'] if entry else None}")
            continue
        if written["mode"] is None:
            problems.append(f"the RUNBOOK writes {path} without a umask or mode: its mode depends on the operator's shell")
        elif normal_mode(entry.get("mode")) != normal_mode(written["mode"]):
            problems.append(f"the RUNBOOK makes {path} mode {written['mode']}, secrets.json says {entry.get('mode')}")
        if written["owner"] is not None and entry.get("owner") != written["owner"]:
            problems.append(f"the RUNBOOK makes {path} owned by {written['owner']}, secrets.json says {entry.get('owner')}")
    generated = {path for path, entry in plan.manifest.items() if entry["source"]["kind"] == "generated"}
    for path in sorted(generated - set(plan.runbook_files)):
        problems.append(f"secrets.json says the RUNBOOK generates {path}, which it does not")
    return problems


def readable_by(mode, owner, user, groups):
    """Whether `user` (member of `groups`) may read a file of this mode and owner ("u" or "u:g")."""
    if mode is None or owner is None:
        return False
    bits = int(str(mode), 8)
    file_user, _, file_group = owner.partition(":")
    if user == "root":
        return True
    if file_user == user:
        return bool(bits & 0o400)
    if file_group and file_group in groups:
        return bool(bits & 0o040)
    return bool(bits & 0o004)


# ---------------------------------------------------------------------------------------
# Reading the tree


def node_path(tree, node, path):
    """Where a node's absolute path lives in the tree: nodes/<node>/<path>."""
    return os.path.join(tree, "nodes", node, path.lstrip("/"))


def on_node(tree, node, path):
    """The node's absolute path of a file in the tree."""
    return "/" + os.path.relpath(path, os.path.join(tree, "nodes", node))


def launcher_files(tree, node):
    """(litellm.service or None, [compose files]) of a node: what may start LiteLLM there.
    Standard library only, so a wrong tree or node fails before the venv is made."""
    unit = node_path(tree, node, "/etc/systemd/system/litellm.service")
    composes = sorted(path for name in COMPOSE_FILES
                      for path in glob.glob(os.path.join(tree, "nodes", node, "**", name), recursive=True))
    if not os.path.isdir(os.path.join(tree, "nodes", node)):
        raise SetupError(f"{os.path.join(tree, 'nodes', node)} does not exist: no node {node} in this tree")
    if not os.path.isfile(unit) and not composes:
        raise SetupError(f"node {node} has neither {unit} nor a compose file: no LiteLLM in this tree")
    return (unit if os.path.isfile(unit) else None), composes


def find_launcher(tree, node, venv):
    """The one launcher of LiteLLM on the node: Unit or ComposeService."""
    unit, composes = launcher_files(tree, node)
    found = [Unit(tree, node)] if unit else []
    for path in composes:
        services = (load_yaml(venv, path) or {}).get("services") or {}
        for name, service in services.items():
            image = str((service or {}).get("image", ""))
            if LITELLM_IMAGE.match(image):
                found.append(ComposeService(tree, node, path, name, service))
            elif name == "litellm":
                raise SetupError(f"{path}: service litellm runs image {image!r}, not LiteLLM's: its entrypoint is unknown here")
    if not found:
        raise SetupError(f"node {node}: no litellm.service and no compose service running LiteLLM's image")
    if len(found) > 1:
        raise SetupError(f"node {node} starts LiteLLM {len(found)} times ({', '.join(l.label for l in found)}): "
                         "they would contend for one port, and this check cannot tell which one the node means")
    return found[0]


class Unit:
    """The [Service] settings of litellm.service and its drop-ins that matter here,
    merged in systemd's order (the unit, then litellm.service.d/*.conf sorted)."""

    kind = "systemd"
    label = "litellm.service"
    loader = "litellm.service"      # in "… does not load it"
    notes = ()

    def __init__(self, tree, node):
        unit = node_path(tree, node, "/etc/systemd/system/litellm.service")
        if not os.path.isfile(unit):
            raise SetupError(f"{unit} does not exist: node {node} has no LiteLLM unit in this tree")
        self.path = unit
        dropins = os.path.join(unit + ".d")
        paths = [unit] + (sorted(os.path.join(dropins, name) for name in os.listdir(dropins) if name.endswith(".conf"))
                          if os.path.isdir(dropins) else [])
        self.environment_settings = {}  # Environment=
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
                        self.environment_settings[name] = setting
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
        # systemd's prefixes (-, @, +, !, :) are no part of the command.
        self.argv = shlex.split(self.exec_start.lstrip("-@+!:"))
        self.shown = f"ExecStart: {shlex.join(self.argv)}"

    def config_on_node(self, path):
        """The node's path of the --config the command names: the same, for a process on the host."""
        return path

    def runbook_dir(self, config_on_node):
        return self.working_directory or os.path.dirname(config_on_node)

    def environment(self, root, home):
        """The environment systemd gives the unit: nothing of the caller's, then Environment=,
        then the EnvironmentFile= files in order, then UnsetEnvironment=. (User= only names
        USER and LOGNAME here: the process runs as root, which owns the venv.)"""
        environment = {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8", "HOME": home, "USER": self.user,
                       "LOGNAME": self.user, "SHELL": "/bin/sh"}
        environment.update(self.environment_settings)
        environment.update(read_environment_files(self.environment_files, root, "systemd would not start the unit"))
        for name in self.unset:
            environment.pop(name, None)
        return environment


class ComposeService:
    """A compose service that runs LiteLLM's image, read as `docker compose up` would start it."""

    kind = "compose"

    def __init__(self, tree, node, path, name, service):
        self.path, self.name = path, name
        self.label = f"compose service {name} ({os.path.relpath(path, tree)})"
        self.loader = f"compose service {name}"
        self.compose_on_node = on_node(tree, node, path)
        self.project_on_node = os.path.dirname(self.compose_on_node)
        self.notes = []
        service = service or {}
        where = f"{path}: service {name}"
        if "$" in json.dumps(service):
            # docker compose interpolates ${…} from the caller's shell and the project's .env.
            raise SetupError(f"{where} uses $-interpolation, which this check does not model")
        if service.get("network_mode") != "host":
            raise SetupError(f"{where} has network_mode {service.get('network_mode')!r}, not host: in a network of "
                             "its own 127.0.0.1 is the container, so its loopback api_bases and --host would not "
                             "mean what they say on the node, and this check runs LiteLLM on the node's network")
        if service.get("profiles"):
            self.notes.append(f"{self.loader} has profiles {service['profiles']}: `docker compose up -d` does not start it")
        # The image's ENTRYPOINT (docker/prod_entrypoint.sh) ends in `exec litellm "$@"`,
        # its CMD is `--port 4000`; compose's command replaces CMD, entrypoint replaces both.
        entrypoint = words(service.get("entrypoint"))
        command = words(service.get("command"))
        if entrypoint:
            if os.path.basename(entrypoint[0]) != "litellm":
                raise SetupError(f"{where}: entrypoint {entrypoint} is not litellm: not modeled here")
            self.argv = entrypoint + (command or [])
        else:
            self.argv = ["litellm"] + (command if command is not None else ["--port", "4000"])
        self.shown = f"compose: entrypoint {'litellm' if not entrypoint else shlex.join(entrypoint)}, " \
                     f"command {shlex.join(command) if command is not None else '(image CMD) --port 4000'}"

        self.environment_settings = {}
        settings = service.get("environment") or {}
        if isinstance(settings, list):
            settings = dict(item.split("=", 1) if "=" in item else (item, None) for item in settings)
        for key, value in settings.items():
            if value is None:
                # A bare name takes its value from the shell that runs docker compose.
                self.notes.append(f"{self.loader}: environment {key} comes from the caller's shell; left unset here")
                continue
            self.environment_settings[key] = str(value).lower() if isinstance(value, bool) else str(value)

        self.environment_files = []
        env_files = service.get("env_file") or []
        for entry in [env_files] if isinstance(env_files, (str, dict)) else env_files:
            file, required = (entry, True) if isinstance(entry, str) else (entry["path"], entry.get("required", True))
            self.environment_files.append((self.on_host(file), not required))

        # Bind mounts: (container path, host path).
        self.mounts = []
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                if volume.get("type") == "bind":
                    self.mounts.append((volume["target"].rstrip("/") or "/", self.on_host(volume["source"])))
                continue
            parts = str(volume).split(":")
            if len(parts) >= 2 and parts[0][:1] in ("/", ".", "~"):
                self.mounts.append((parts[1].rstrip("/") or "/", self.on_host(parts[0])))
        self.user = str(service.get("user", "root"))

    def on_host(self, path):
        """A path of the compose file (relative ones are relative to the project directory)."""
        if path.startswith("~"):
            raise SetupError(f"{self.path}: {path}: a ~ path depends on who runs docker compose")
        return os.path.normpath(os.path.join(self.project_on_node, path))

    def config_on_node(self, path):
        """The node's file behind the container path --config names: the bind mount that holds it."""
        holders = [(target, source) for target, source in self.mounts
                   if path == target or path.startswith(target.rstrip("/") + "/")]
        if not holders:
            raise SetupError(f"{self.label}: --config {path} is in no bind mount: the container would read "
                             "the image's own file (or none), not the generated config")
        target, source = max(holders, key=lambda holder: len(holder[0]))
        return source if path == target else os.path.join(source, os.path.relpath(path, target))

    def runbook_dir(self, _config_on_node):
        return self.project_on_node

    def environment(self, root, home):
        """The environment compose gives the container: the env files in order (a later one
        wins), then `environment:`, which wins over them. The image's own variables (PATH and
        the like) are the test's: they change nothing LiteLLM does with the config."""
        environment = {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8", "HOME": home}
        environment.update(read_environment_files(self.environment_files, root, "docker compose would not start the service"))
        environment.update(self.environment_settings)
        for variable, value in ENTRYPOINT_BRANCHES.items():
            if environment.get(variable) == value:
                raise SetupError(f"{self.label} sets {variable}={value}: the image's entrypoint then runs something "
                                 "other than `litellm \"$@\"`, which this check does not model")
        return environment


def words(value):
    """A compose command or entrypoint as a list of words (a string is split as a shell would)."""
    if value is None:
        return None
    return shlex.split(value) if isinstance(value, str) else [str(word) for word in value]


def read_environment_files(files, root, consequence):
    """The variables of the staged env files, in order, a later file winning."""
    environment = {}
    for path, optional in files:
        staged = os.path.join(root, path.lstrip("/"))
        if not os.path.isfile(staged):
            if optional:
                continue
            raise SetupError(f"env file {path} is missing: {consequence}")
        environment.update(read_environment_file(staged))
    return environment


class Plan:
    """Everything the run needs to know about one node, read from the tree."""

    def __init__(self, tree, node, venv, intent=None):
        self.tree, self.node, self.venv = tree, node, venv
        # Tailnet names an api_base may use (a backend's host by its MagicDNS name), from the
        # trust report: {name: {"address", "backend", "host", ...}}; see tailnet_names().
        self.names = tailnet_names(intent)
        # Secret files of other nodes staged for this run ({(node, path): {variable: value}}),
        # under nodes_root/<node>/<path>: the files a copied one comes from, and the key files
        # of the servers behind a remote api_base. Set by inside().
        self.staged = {}
        self.nodes_root = None
        self.launcher = find_launcher(tree, node, venv)

        argv = self.launcher.argv
        if not argv or os.path.basename(argv[0]) != "litellm":
            raise SetupError(f"{self.launcher.label} runs {argv[0] if argv else 'nothing'}, not litellm")
        self.exec_argv = argv
        options = self.options(argv[1:])
        if "--config" not in options:
            raise SetupError(f"{self.launcher.label}: the command has no --config")
        self.config_in_argv = options["--config"]
        self.config_on_node = self.launcher.config_on_node(self.config_in_argv)
        self.config_path = node_path(tree, node, self.config_on_node)
        if not os.path.isfile(self.config_path):
            raise SetupError(f"the config {self.launcher.label} names is not in the tree: {self.config_path}")
        # LiteLLM's own defaults when the command does not say.
        self.host = options.get("--host", "0.0.0.0")
        self.port = int(options.get("--port", "4000"))

        self.config = load_yaml(venv, self.config_path) or {}
        general = self.config.get("general_settings") or {}
        self.model_names = [entry["model_name"] for entry in self.config.get("model_list") or []]
        if not self.model_names:
            raise SetupError(f"{self.config_path}: model_list is empty")
        self.served = {}
        self.routes, self.upstreams = self.read_routes()
        self.read_routing()
        self.environment_references = sorted(set(environment_references(self.config)))

        # The owner holds the key the launcher's environment gives LiteLLM: the variable that
        # general_settings.master_key names, or LiteLLM's own LITELLM_MASTER_KEY when the
        # config does not read it from the environment (then the check shows whether the
        # proxy really uses the key the owner has).
        master = general.get("master_key")
        if isinstance(master, str) and master.startswith("os.environ/"):
            self.master_key_variable = master[len("os.environ/"):]
        else:
            self.master_key_variable = "LITELLM_MASTER_KEY"

        self.runbook = node_path(tree, node, os.path.join(self.launcher.runbook_dir(self.config_on_node), "RUNBOOK.md"))
        self.runbook_files = read_runbook_secrets(self.runbook)
        self.files_from_runbook = {path: entry["variables"] for path, entry in self.runbook_files.items()}
        user = RUNBOOK_USER.search(open(self.runbook).read()) if os.path.isfile(self.runbook) else None
        self.runbook_user = user.group(1) if user else None
        # secrets.json (beside the RUNBOOK) is the layout as data; the RUNBOOK must agree with it.
        self.manifest_path = os.path.join(os.path.dirname(self.runbook), "secrets.json")
        self.manifest = read_manifest(self.manifest_path)
        self.files_from_manifest = {path: entry["variables"] for path, entry in self.manifest.items()}

        # What the config's response cache is: LiteLLM's default type is redis.
        settings = self.config.get("litellm_settings") or {}
        params = settings.get("cache_params") or {}
        self.redis_cache = params if settings.get("cache") and params.get("type", "redis") == "redis" else None
        # The node's compose services that work with LiteLLM: Redis, its cache, and NGINX, in front of it.
        redis, self.nginx = [], []
        for path in launcher_files(tree, node)[1]:
            services = (load_yaml(venv, path) or {}).get("services") or {}
            redis += [(path, name, service or {}) for name, service in services.items() if redis_run.is_redis(service)]
            project = on_node(tree, node, os.path.dirname(path))
            self.nginx += [(path, name, service, mounts)
                           for name, service, mounts in nginx_run.nginx_services({"services": services}, project)]
        if len(redis) > 1 or len(self.nginx) > 1:
            raise SetupError(f"node {node} runs {len(redis)} Redis and {len(self.nginx)} NGINX compose services: "
                             "this check models one of each")
        self.redis = redis[0] if redis else None

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

    def read_routes(self):
        """([(model_name, (host, port))], {(host, port): (api, [served model names])}) of the model list.

        api is what the provider prefix makes LiteLLM speak to the api_base: "ollama" (Ollama's
        native /api/chat) or "openai" (<api_base>/chat/completions). The stub serves that API
        at the real server's paths, so an api_base whose path does not fit its provider fails."""
        routes, upstreams = [], {}
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
                if url.hostname not in self.names:
                    raise SetupError(f"api_base {base}: host is not an IP address, nor the tailnet name of a backend's host "
                                     "in the trust report (--intent); only those can be made local")
            model = params.get("model", "")
            if model.startswith("ollama/"):
                raise SetupError(f"model {model}: LiteLLM's ollama/ provider speaks /api/generate, which the stub "
                                 "does not serve (spark-gen generates ollama_chat/)")
            # The name the backend serves is the model without LiteLLM's provider prefix;
            # an unknown prefix stays, and the stub answers 404 for it.
            api, served = "openai", model
            for prefix, kind in PROVIDERS.items():
                if model.startswith(prefix):
                    api, served = kind, model[len(prefix):]
            upstream = (url.hostname, url.port or 80)
            known_api, served_there = upstreams.setdefault(upstream, (api, []))
            if known_api != api:
                raise SetupError(f"{upstream[0]}:{upstream[1]} is the api_base of an {known_api} and an {api} model: "
                                 "one server cannot speak both")
            served_there.append(served)
            routes.append((entry["model_name"], upstream))
            self.served[entry["model_name"]] = served
        return routes, upstreams


    def address(self, host):
        """The literal address behind an api_base host: itself, or the one a tailnet name is mapped to."""
        return self.names[host]["address"] if host in self.names else host

    def read_routing(self):
        """What the config routes between models (see routing_checks): router_settings.fallbacks
        as {name: [targets]}, model_group_alias as {alias: model}, and each model_name's
        litellm_params.max_parallel_requests as {model_name: cap}."""
        router = self.config.get("router_settings") or {}
        self.router_settings = router
        self.fallbacks = {}
        for entry in router.get("fallbacks") or []:
            for name, targets in (entry or {}).items():
                self.fallbacks[str(name)] = [str(target) for target in targets or []]
        self.aliases = {}
        for alias, target in (router.get("model_group_alias") or {}).items():
            # The item form {model: ..., hidden: true} names its model under "model".
            self.aliases[str(alias)] = str(target.get("model") if isinstance(target, dict) else target)
        self.caps = {}
        for entry in self.config.get("model_list") or []:
            cap = (entry.get("litellm_params") or {}).get("max_parallel_requests")
            if cap is not None:
                self.caps[entry["model_name"]] = int(cap)
        self.routing = bool(self.fallbacks or self.aliases or self.caps)

    def chain(self, name):
        """The models LiteLLM tries, in order, when `name` (a model or an alias) fails: its chain,
        each target followed by the target's own chain before the next (LiteLLM falls back again
        from a target that fails, with that target's chain, then goes on with the rest), never a
        model twice."""
        order, seen = [], {name, self.aliases.get(name, name)}
        def walk(current):
            for target in self.fallbacks.get(current, []):
                if target not in seen:
                    seen.add(target)
                    order.append(target)
                    walk(target)
        walk(name)
        return order

    def seniors(self):
        """Models whose chain is written empty, under their own name or a route alias's."""
        return [name for name in self.model_names
                if self.fallbacks.get(name) == [] or any(self.fallbacks.get(alias) == [] for alias, model in self.aliases.items() if model == name)]


# Where this check puts the tailnet names of backends' hosts: addresses of Tailscale's range
# (100.64.0.0/10) that no node of a topology has by default, one per name, in the namespace only.
NAMED_HOST_ADDRESSES = ipaddress.ip_network("100.127.254.0/24")


def tailnet_names(intent):
    """{name: {"address", "backend", "host", "tailnet", "tag", "port", "api_base", "model"}} of every
    backend in the trust report (`spark-gen trust --format json`): its host's MagicDNS name
    (hosts[].tailnet_hostname), which the gateways' api_base names, and the address this check
    maps it to in LiteLLM's /etc/hosts; {} without an intent or backends."""
    if not intent:
        return {}
    document = json.load(open(intent))
    hosts = {host["name"]: host for host in document.get("hosts", [])}
    literals = {interface["ip"] for node in document.get("nodes", []) for interface in node.get("interfaces", [])}
    literals |= {node["tailnet_ip"] for node in document.get("nodes", []) if node.get("tailnet_ip")}
    free = (str(address) for address in NAMED_HOST_ADDRESSES.hosts() if str(address) not in literals)
    names = {}
    for backend in document.get("backends", []):
        host = hosts.get(backend["host"], {})
        name = host.get("tailnet_hostname") or urllib.parse.urlsplit(backend["api_base"]).hostname
        entry = names.setdefault(name, {"address": next(free), "backends": [], "host": backend["host"],
                                        "tailnet": host.get("tailnet") or backend["tailnet"], "tag": host.get("tag") or backend["tag"]})
        entry["backends"].append(backend)
    return names


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



# ---------------------------------------------------------------------------------------
# Outside the namespace: venv, namespace, cleanup


def ensure_venv(venv):
    """Install REQUIREMENTS into venv unless a complete install is already there (cached_venv)."""
    cached_venv.ensure(venv, REQUIREMENTS, "litellm", "about 740 MB, about a minute", say=say, error=SetupError, timeout=VENV_TIMEOUT)


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
    launcher_files(arguments.tree, arguments.node)
    if arguments.other_node:
        launcher_files(arguments.tree, arguments.other_node)
    ensure_venv(arguments.venv)
    plan = Plan(arguments.tree, arguments.node, arguments.venv, arguments.intent)

    namespace = "sgl-" + secrets.token_hex(4)
    created = False     # never sweep a namespace of the same name that is not ours
    workdir = inner = hosts_dir = None
    try:
        workdir = tempfile.mkdtemp(prefix="sgl-")   # mode 0700; holds the test secrets and logs
        ip("netns", "add", namespace)
        created = True
        ip("-n", namespace, "link", "set", "lo", "up")
        # The api_base addresses become the namespace's own: the proxy's requests to them
        # reach the stub on lo, and no route leads anywhere else.
        local = []
        for host, _port in plan.upstreams:
            address = ipaddress.ip_address(plan.address(host))
            if address.is_loopback:
                continue
            prefix = f"{address}/{address.max_prefixlen}"
            if prefix not in local:
                ip("-n", namespace, "addr", "add", prefix, "dev", "lo")
                local.append(prefix)
        say(f"namespace: {namespace}, lo up" + (f", {' '.join(local)} on lo" if local else ""))

        command = [sys.executable, os.path.abspath(__file__),
                   "--tree", arguments.tree, "--node", arguments.node, "--venv", arguments.venv,
                   "--inside", namespace, "--workdir", workdir]
        if arguments.other_node:
            command += ["--other-node", arguments.other_node]
        if arguments.intent:
            command += ["--intent", arguments.intent]
        if arguments.config_only:
            command.append("--config-only")
        if arguments.fail_fast:
            command.append("--fail-fast")
        named = {host: plan.names[host]["address"] for host, _port in plan.upstreams if host in plan.names}
        if named:
            # The tailnet names LiteLLM dials resolve, as MagicDNS would, to the address their stub
            # listens on: an /etc/hosts of its own (the host's, plus these names) bound over
            # /etc/hosts in a private mount namespace around the inner run. The host's /etc/hosts
            # is never touched; the directory is world-readable, as /etc/hosts is.
            hosts_dir = tempfile.mkdtemp(prefix="sgl-hosts-")
            os.chmod(hosts_dir, 0o755)
            hosts_file = os.path.join(hosts_dir, "hosts")
            with open(hosts_file, "w") as handle:
                handle.write(open("/etc/hosts").read().rstrip("\n") + "\n# spark-gen litellm_check: tailnet names of backends\n")
                handle.writelines(f"{address} {host}\n" for host, address in sorted(named.items()))
            os.chmod(hosts_file, 0o644)
            say(f"hosts:     {', '.join(f'{host} -> {address}' for host, address in sorted(named.items()))} "
                "in the inner run's /etc/hosts (a private mount namespace)")
            command = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                       'mount --bind "$0" /etc/hosts && exec "$@"', hosts_file] + command
        command = ["ip", "netns", "exec", namespace] + command
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
        if hosts_dir:
            shutil.rmtree(hosts_dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# Inside the namespace: stubs, environment, LiteLLM, checks

# No proxy from the caller's environment may carry a request out of the namespace.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# For NGINX's self-signed certificate, as verify.sh's `curl -k`: the certificate itself is
# checked once, on its own (see nginx_checks).
UNVERIFIED = ssl.create_default_context()
UNVERIFIED.check_hostname = False
UNVERIFIED.verify_mode = ssl.CERT_NONE
TLS_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=UNVERIFIED))


def http(method, url, key=None, body=None, timeout=REQUEST_TIMEOUT, headers_out=None):
    """(status, parsed JSON or text) of one request; status None when none came. The
    response's headers go into the dict headers_out, when given."""
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    opener = TLS_OPENER if url.startswith("https:") else OPENER
    try:
        with opener.open(request, timeout=timeout) as response:
            status, text = response.status, response.read().decode(errors="replace")
            received = response.headers
    except urllib.error.HTTPError as error:
        status, text, received = error.code, error.read().decode(errors="replace"), error.headers
    except (urllib.error.URLError, OSError) as error:
        return None, str(error)
    if headers_out is not None:
        headers_out.update({name.lower(): value for name, value in received.items()})
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
    """KEY=VALUE lines as systemd and docker compose read them (comments, optional quotes)."""
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


def secret_files(plan, root, also=()):
    """Write the node's env files (those the launcher loads, and the env files `also` of
    other services: (path, optional)) under root with test values; a variable has one
    value in every file that holds it.

    Returns the owner's key: the value made for the master key variable, whether or not
    a file the launcher loads holds it. Each file gets the variables secrets.json lists for
    it (after checking that the RUNBOOK writes the same, with the same mode and owner);
    without a manifest, those the RUNBOOK writes; without either, the first file gets every
    variable the config reads."""
    if plan.manifest:
        problems = manifest_disagreements(plan)
        if problems:
            raise SetupError("; ".join(problems))
    launcher = plan.launcher
    layout = dict(plan.files_from_manifest or plan.files_from_runbook)
    if not layout:
        say(f"note: no secrets section in {plan.runbook}: every variable the config reads goes into the first env file")
        needed = sorted(set(plan.environment_references) | {plan.master_key_variable})
        layout = {path: needed if index == 0 else [] for index, (path, _) in enumerate(launcher.environment_files)}
    names = {name for names in layout.values() for name in names} | set(plan.environment_references) | {plan.master_key_variable}
    values = {name: test_value(name) for name in sorted(names)}

    loaded = {path for path, _ in launcher.environment_files}
    for path, variables in layout.items():
        # (With a manifest, env_file_checks() fails a file LiteLLM reads that is not loaded.)
        if path not in loaded and set(variables) & (set(plan.environment_references) | {plan.master_key_variable}):
            say(f"note: the RUNBOOK writes {path} ({', '.join(variables)}) but {launcher.loader} does not load it")
    written = set()
    files = list(launcher.environment_files) + [entry for entry in also if entry[0] not in loaded]
    for path, optional in dict(files).items():
        if path not in layout:
            # systemd and docker compose refuse to start what loads a missing env file
            # (unless it is optional), so the node would need it; make it empty and say so.
            say(f"note: {launcher.loader if path in loaded else 'a compose service'} loads {path} but the RUNBOOK does not create it")
        lines, shown = [], []
        # A copied file (secrets.json source kind "copied") holds its source's values: the
        # source node's file is staged first (see stage_node_file), and this one copies it.
        entry = plan.manifest.get(path) or {}
        source = entry.get("source") or {}
        file_values = dict(values)
        if source.get("kind") == "copied":
            copied = stage_node_file(plan, source.get("node"), source.get("path"))
            missing = [name for name in layout.get(path, []) if name not in copied]
            if missing:
                raise SetupError(f"{path} is a copy of {source.get('node')}:{source.get('path')}, which has no {', '.join(missing)}")
            file_values.update(copied)
            shown.append(f"a copy of {source.get('node')}:{source.get('path')} with")
        for name in layout.get(path, []):
            if name in DATABASE_VARIABLES:
                lines.append(f"# {name} left out: no database here (see DATABASE_VARIABLES in litellm_check.py)\n")
                shown.append(f"{name} left out")
            else:
                lines.append(f"{name}={file_values[name]}\n")
                shown.append(name)
                if path in loaded:
                    written.add(name)
        write_private(os.path.join(root, path.lstrip("/")), "".join(lines))
        say(f"env file: {path} ({', '.join(shown) or 'empty'})")
    for name in plan.environment_references:
        if name not in written and name not in DATABASE_VARIABLES:
            say(f"note: the config reads os.environ/{name} but no env file {launcher.loader} loads sets it")
    return values[plan.master_key_variable]


def node_manifest(plan, node):
    """{path: entry} of the secrets.json of another node of the tree ({} without one)."""
    for path in sorted(glob.glob(os.path.join(plan.tree, "nodes", str(node), "**", "secrets.json"), recursive=True)):
        try:
            document = json.load(open(path))
        except (OSError, ValueError):
            continue
        if document.get("node") == node:
            return {entry["path"]: entry for entry in document.get("files", [])}
    return {}


def stage_node_file(plan, node, path, depth=0):
    """{variable: value} of a secret file of another node, made the way its secrets.json says
    (a generated file gets test values; a copied one its own source's) and written under
    plan.nodes_root/<node>/<path>, once per run: what a server of that node reads, and what a
    copy on the LiteLLM node must hold."""
    if (node, path) in plan.staged:
        return plan.staged[(node, path)]
    if node == plan.node:
        raise SetupError(f"{path} on {node} is staged with the node's own files, not as another node's")
    entry = node_manifest(plan, node).get(path)
    if entry is None:
        raise SetupError(f"the secrets.json of node {node} lists no {path}")
    source = entry.get("source") or {}
    if source.get("kind") == "copied":
        if depth > 4:
            raise SetupError(f"{node}:{path}: copies of copies go on past {depth} hops")
        copied = stage_node_file(plan, source.get("node"), source.get("path"), depth + 1)
        values = {name: copied[name] for name in entry.get("variables", []) if name in copied}
    else:
        values = {name: test_value(name) for name in entry.get("variables", [])}
    write_private(os.path.join(plan.nodes_root, node, path.lstrip("/")), "".join(f"{k}={v}\n" for k, v in values.items()))
    plan.staged[(node, path)] = values
    return values


# A LiteLLM another owner's gateway runs; the key it takes from this node is the one it minted.
LITELLM_PROGRAM = re.compile(r"(^|/)litellm$")


def offered_key(plan, node):
    """(key, where it comes from) of the virtual key `node`'s LiteLLM minted for this node's
    owner (secrets.json: kind virtual-key with models, copied by this node), else None. Its
    value is the staged file of `node`, which this node's copy holds too (stage_node_file)."""
    for path, entry in node_manifest(plan, node).items():
        source = entry.get("source") or {}
        if source.get("kind") != "virtual-key" or "models" not in source:
            continue
        copied = any((mine.get("source") or {}).get("kind") == "copied" and mine["source"].get("node") == node
                     and mine["source"].get("path") == path for mine in plan.manifest.values())
        variable = (entry.get("variables") or [None])[0]
        if copied and variable:
            values = stage_node_file(plan, node, path)
            if variable in values:
                return values[variable], f"{variable} of {node}'s {path} (the key {node}'s LiteLLM minted for this owner)"
    return None


# The variable each server program reads its API key from (and the flag that overrides it).
SERVER_KEY_VARIABLES = ((re.compile(r"(^|/)vllm$|^vllm\.entrypoints"), "VLLM_API_KEY"),
                        (re.compile(r"(^|/)llama-server$"), "LLAMA_API_KEY"))


def server_key(plan, root, upstream):
    """(key, where it comes from) of the server behind an api_base when its command in the tree
    makes it require one (vllm serve: --api-key, or VLLM_API_KEY from `environment:` or an
    env_file; llama-server likewise with LLAMA_API_KEY), else None. The key is the value of the
    staged file the server's node reads: the LiteLLM node's own, or another node's (made by
    stage_node_file as its secrets.json says), never the value LiteLLM is given."""
    found = {}
    for where, node, service, options in server_commands(plan, upstream):
        argv = (service or {}).get("_argv") or []
        if node != plan.node and LITELLM_PROGRAM.search(options.get("_program", "")):
            # Another owner's gateway (owners.<o>.offers): it takes the key it minted for this one.
            offered = offered_key(plan, node)
            if offered is not None:
                found.setdefault(*offered)
            continue
        variable = next((name for pattern, name in SERVER_KEY_VARIABLES if any(pattern.search(word) for word in argv[:3])), None)
        if "--api-key" in options:
            found.setdefault(options["--api-key"], f"--api-key of {where}")
            continue
        if variable is None or service is None:
            continue
        value, origin = None, None
        manifest = plan.manifest if node == plan.node else node_manifest(plan, node)
        for path, _optional in compose_env_files(service, service["_project"], where):
            if variable not in (manifest.get(path) or {}).get("variables", []):
                continue
            if node == plan.node:
                staged = os.path.join(root, path.lstrip("/"))
                values = read_environment_file(staged) if os.path.isfile(staged) else {}
            else:
                values = stage_node_file(plan, node, path)
            if variable in values:
                value, origin = values[variable], f"{variable} of {node}'s {path} (env_file of {where})"
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
        if environment.get(variable) is not None:
            value, origin = str(environment[variable]), f"{variable} in the environment of {where}"
        if value is not None:
            found.setdefault(value, origin)
    if len(found) > 1:
        raise SetupError(f"{upstream[0]}:{upstream[1]}: the commands serving it require different keys ({', '.join(found.values())})")
    return next(iter(found.items()), None)


def copied_file_checks(plan):
    """Yield (ok, description) of each copied secret file of the LiteLLM node: secrets.json names
    its source (node, path, ssh), the source node's secrets.json has that file with the same
    variables, and the RUNBOOK's hand-over step copies it from there through the operator's
    machine: `ssh SSH cat PATH | ssh … dd … of="$tmp"`, then `mv "$tmp" PATH`, or for a file compose
    reads (mode 0640, root and a group) `sudo install -m MODE -o root -g GROUP "$tmp" PATH`, with
    the mode and group secrets.json states (proof/handover_check.py runs the block itself)."""
    text = open(plan.runbook).read() if os.path.isfile(plan.runbook) else ""
    for path, entry in plan.manifest.items():
        source = entry.get("source") or {}
        if source.get("kind") != "copied":
            continue
        origin = node_manifest(plan, source.get("node")).get(source.get("path"))
        same = origin is not None and origin.get("variables") == entry.get("variables")
        owner = entry.get("owner") or ""
        group = owner.split(":", 1)[1] if owner.startswith("root:") else None
        pipe = f"ssh {source.get('ssh')} cat {source.get('path')} | ssh "
        if group:
            place = f'sudo install -m {entry.get("mode")} -o root -g {group} "$tmp" {path}'
        else:
            place = f'mv "$tmp" {path}'
        copy = f"{pipe}… then {place}"
        copied = (re.search(rf"(^|\s){re.escape(pipe)}", text, re.M) is not None
                  and re.search(rf"(^|\s){re.escape(place)}(\s|\)|$)", text, re.M) is not None)
        yield (same and copied,
               f"{path} ({', '.join(entry.get('variables', []))}) is a copy of {source.get('node')}:{source.get('path')}: "
               + ("its secrets.json lists the same variables" if same else
                  f"its secrets.json lists {origin.get('variables') if origin else 'no such file'}")
               + (f", and the RUNBOOK copies it ({copy})" if copied else f", but the RUNBOOK has no `{copy}`"))


STUB_CHAT_STATUS = re.compile(r'"POST (?:/v1/chat/completions|/api/chat) HTTP/[\d.]+" (\d+)')


def keyed_checks(plan, stubs, base, owner_key, nonce):
    """Yield (ok, description) of every api_base whose server requires a key (server_key): its
    stub refuses a request without it or with another key (401) and answers with it; and every
    chat request LiteLLM sent there so far carried it (the stub logged each 200, none 401)."""
    for upstream, (key, origin) in plan.keys.items():
        where = f"{upstream[0]}:{upstream[1]}"
        models_url = f"http://{url_host(upstream[0])}:{upstream[1]}/v1/models"
        answers = [http("GET", models_url, None)[0], http("GET", models_url, test_value("VLLM_API_KEY"))[0],
                   http("GET", models_url, key)[0]]
        yield (answers == [401, 401, 200],
               f"key: the stub of {where} requires {origin}: GET /v1/models without a key -> {answers[0]}, "
               f"with another -> {answers[1]}, with it -> {answers[2]} (want 401, 401, 200, as vllm serve with a key)")
        try:
            statuses = STUB_CHAT_STATUS.findall(open(stubs.logs[upstream], errors="replace").read())
        except OSError:
            statuses = []
        names = [name for name, routed in plan.routes if routed == upstream]
        yield (bool(statuses) and all(status == "200" for status in statuses),
               f"key: LiteLLM's {len(statuses)} chat request(s) to {', '.join(names)} at {where} carried that key: "
               f"the stub answered {', '.join(f'{statuses.count(code)}×{code}' for code in sorted(set(statuses))) or 'none'} "
               "(want at least one, all 200)")


def wrong_key_checks(plan, root, stubs, restart, nonce):
    """Yield (ok, description): with a different value in the LiteLLM node's copy of a keyed
    server's key file, LiteLLM (restarted, so it reads the file again) gets that server's 401:
    its models answer an error that carries no model's answer, the stub logged a 401 for it,
    and a model of another api_base still answers 200. The copy is rewritten last; nothing runs
    after it."""
    for upstream, (key, origin) in plan.keys.items():
        copies = [path for path, entry in plan.manifest.items()
                  if (entry.get("source") or {}).get("kind") == "copied" and path in {p for p, _ in plan.launcher.environment_files}
                  and key in read_environment_file(os.path.join(root, path.lstrip("/"))).values()]
        if not copies:
            say(f"note: {upstream[0]}:{upstream[1]} requires a key that no copied file LiteLLM loads holds: no wrong-copy check")
            continue
        path = copies[0]
        staged = os.path.join(root, path.lstrip("/"))
        original = open(staged).read()
        wrong = test_value("VLLM_API_KEY")
        with open(staged, "w") as handle:
            handle.write(original.replace(key, wrong))
        base = restart()
        names = [name for name, routed in plan.routes if routed == upstream]
        others = [name for name, routed in plan.routes if routed != upstream]
        for name in names:
            before = STUB_CHAT_STATUS.findall(open(stubs.logs[upstream], errors="replace").read())
            status, content, body, elapsed = chat(base, plan.owner_key, name, timeout=DOWN_TIMEOUT)
            after = STUB_CHAT_STATUS.findall(open(stubs.logs[upstream], errors="replace").read())
            text = body if isinstance(body, str) else json.dumps(body)
            refused = after[len(before):]
            yield (status is not None and status >= 400 and nonce not in text and refused and all(code == "401" for code in refused),
                   f"wrong key: {path} rewritten with another key, LiteLLM restarted: model={name} -> "
                   f"{status} {error_text(body) if status != 200 else ''} in {elapsed:.1f} s; the stub answered {', '.join(refused) or 'nothing'} "
                   "(want an error status with no model's answer, the stub's 401s)")
        if others:
            status, content, body, elapsed = chat(base, plan.owner_key, others[0])
            yield (status == 200 and content is not None and nonce in content,
                   f"wrong key: model={others[0]} (another api_base) still -> {status}")


def named_host_checks(plan):
    """Yield (ok, description) of each api_base host that is a tailnet name (tailnet_names): it is
    the MagicDNS name of a backend's host in the trust report, the api_base and served model are
    that backend's, and in this run the name resolves (as LiteLLM resolves it, through
    /etc/hosts) to the address its stub listens on and to nothing else."""
    import socket
    for host, port in plan.upstreams:
        if host not in plan.names:
            continue
        entry = plan.names[host]
        routed = [(name, entry) for name, upstream in plan.routes if upstream == (host, port)]
        for name, _ in routed:
            base = next((e.get("litellm_params", {}).get("api_base") for e in plan.config.get("model_list") or []
                         if e.get("model_name") == name), None)
            backend = next((b for b in entry["backends"] if b["api_base"] == base and b["port"] == port), None)
            yield (backend is not None and plan.served.get(name) == backend["model"],
                   f"named host: model={name}'s api_base {base} is "
                   + (f"backend {backend['name']}'s (host {entry['host']} on tailnet {entry['tailnet']}, {entry['tag']}; model {backend['model']})"
                      if backend else f"no backend's api_base in the trust report ({[b['api_base'] for b in entry['backends']]})")
                   + ("" if backend is None or plan.served.get(name) == backend["model"] else f", but it asks for {plan.served.get(name)}"))
        try:
            resolved = sorted({info[4][0] for info in socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)})
        except OSError as error:
            resolved = [f"nothing ({error})"]
        yield (resolved == [entry["address"]],
               f"named host: {host} resolves to {', '.join(resolved)} in LiteLLM's namespace (want {entry['address']}, where its stub listens)")


def env_file_checks(plan):
    """Yield (ok, description) about the env files the launcher loads, before anything runs.

    secrets.json names each file's readers: the launcher must load exactly the files that
    LiteLLM reads (one it misses is a key LiteLLM never sees; one more is another app's
    secret handed to the proxy).

    systemd reads EnvironmentFile= as root, before it drops to User=: nothing more to check.
    `docker compose` reads env_file: itself, as the user who runs it: the RUNBOOK's user
    (its steps run `docker compose` without sudo), in the docker group when the RUNBOOK's
    prerequisites add them to it. So for compose, each file's mode and owner (as
    secrets.json says them, which the RUNBOOK's secrets step must agree with, see
    manifest_disagreements) must let that user read it."""
    launcher = plan.launcher
    loaded = [path for path, _ in launcher.environment_files]
    if plan.manifest:
        read_by_litellm = [path for path, entry in plan.manifest.items() if "litellm" in entry.get("readers", [])]
        missed = [path for path in read_by_litellm if path not in loaded]
        foreign = [f"{path} (readers {plan.manifest[path].get('readers')})" for path in loaded
                   if path in plan.manifest and path not in read_by_litellm]
        yield (not missed and not foreign,
               f"{launcher.loader} loads the env files secrets.json says LiteLLM reads ({', '.join(read_by_litellm) or 'none'})"
               + (f"; misses {', '.join(missed)}" if missed else "") + (f"; also loads {', '.join(foreign)}" if foreign else ""))
    if launcher.kind != "compose":
        return
    text = open(plan.runbook).read() if os.path.isfile(plan.runbook) else ""
    user = plan.runbook_user
    groups = {"docker"} if user and re.search(rf"usermod -aG docker {re.escape(user)}\b", text) else set()
    for path, optional in launcher.environment_files:
        entry = plan.manifest.get(path)
        if entry is None:
            yield optional, f"env file {path} of {launcher.loader}: secrets.json does not list it" + (" (optional)" if optional else "")
            continue
        ok = user is not None and readable_by(entry.get("mode"), entry.get("owner"), user, groups)
        yield ok, (f"env file {path} ({entry.get('mode')} {entry.get('owner')}) is readable by {user or 'the RUNBOOK user (not named)'}"
                   f"{' (in group docker)' if groups else ' (not in group docker)'}, who runs docker compose")


def in_namespace(namespace):
    """Whether this process runs in that namespace (same nsfs inode)."""
    mine, named = os.stat("/proc/self/ns/net"), os.stat(f"/run/netns/{namespace}")
    return (mine.st_dev, mine.st_ino) == (named.st_dev, named.st_ino)


def start(command, log_path, append=False, **options):
    """Start a process in its own session (so its whole group can be stopped, and a
    terminal's Ctrl-C reaches only this script, which then stops it in order)."""
    log = open(log_path, "a" if append else "w")
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


def url_host(host):
    return f"[{host}]" if ":" in host else host


# A chat request as the stub logs it (both APIs).
CHAT_REQUEST = re.compile(r'"POST (?:/v1/chat/completions|/api/chat) ')


class Stubs:
    """One stub_openai.py process per api_base, so that one backend can be taken down alone.
    Each has its own log (appended to across restarts), which tells which backend got what."""

    def __init__(self, plan, workdir, nonce, keys=None):
        self.plan, self.nonce = plan, nonce
        self.processes = {}
        self.logs = {upstream: os.path.join(workdir, f"stub-{index}.log") for index, upstream in enumerate(plan.upstreams)}
        self.workdir = workdir
        self.keys, self.key_files = {}, {}
        self.set_keys(keys or {})

    def set_keys(self, keys):
        """The key each keyed server requires ({upstream: key}), handed to its stub in a 0600 file."""
        for upstream, key in keys.items():
            self.keys[upstream] = key
            self.key_files[upstream] = os.path.join(self.workdir, f"stub-{len(self.key_files)}.key")
            write_private(self.key_files[upstream], key + "\n")

    def ready_url(self, upstream):
        """What the RUNBOOK waits for on that runtime: /api/version (Ollama), /v1/models (the others)."""
        api, _ = self.plan.upstreams[upstream]
        path = "/api/version" if api == "ollama" else "/v1/models"
        return f"http://{url_host(upstream[0])}:{upstream[1]}{path}"

    def start(self, upstream, delay=None):
        """Start the stub of an api_base; with delay, it holds every chat request that long."""
        api, models = self.plan.upstreams[upstream]
        host, port = upstream
        flag = "--ollama" if api == "ollama" else "--serve"
        # A tailnet name's stub listens on the address the name is mapped to.
        process = start([sys.executable, os.path.join(HERE, "stub_openai.py"), "--nonce", self.nonce,
                         flag, f"{url_host(self.plan.address(host))}:{port}={','.join(models)}"]
                        + (["--delay", str(delay)] if delay else [])
                        + (["--api-key-file", self.key_files[upstream]] if upstream in self.key_files else []),
                        self.logs[upstream], append=True, env={"PATH": SYSTEMD_PATH})
        self.processes[upstream] = process
        # By name, for a named host: the ready probe resolves it as LiteLLM will.
        url = self.ready_url(upstream)
        key = self.keys.get(upstream)
        if not wait_until(lambda: process.poll() is None and http("GET", url, key, timeout=2)[0] == 200, STUB_TIMEOUT):
            raise SetupError(f"stub not answering on {url}:\n{tail(self.logs[upstream])}")
        return api, models

    def stop(self, upstream):
        stop(self.processes.pop(upstream, None))

    def stop_all(self):
        for upstream in list(self.processes):
            self.stop(upstream)

    def counts(self):
        """{upstream: chat requests its stub logged so far} of every api_base."""
        return {upstream: self.chat_requests(upstream) for upstream in self.plan.upstreams}

    def arrived(self, upstream, prompts):
        """How many of the prompts the stub's log shows a body for (logged once read)."""
        try:
            text = open(self.logs[upstream], errors="replace").read()
        except OSError:
            return 0
        return sum(1 for prompt in prompts if prompt in text)

    def chat_requests(self, upstream):
        try:
            return sum(1 for line in open(self.logs[upstream], errors="replace") if CHAT_REQUEST.search(line))
        except OSError:
            return 0

    def received(self, upstream):
        """What the backend got, from its log: ("METHOD path ×count, …", first chat request body)."""
        counts, first_body, last_body = {}, None, None
        try:
            lines = open(self.logs[upstream], errors="replace").read().splitlines()
        except OSError:
            lines = []
        for line in lines:
            body = re.search(r"^stub \S+ \S+ body (.*)$", line)
            if body:
                last_body = body.group(1)
                continue
            request = re.search(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d+)', line)
            if request:
                key = f"{request.group(1)} {request.group(2)} {request.group(3)}"
                counts[key] = counts.get(key, 0) + 1
                if first_body is None and CHAT_REQUEST.search(line):
                    first_body = last_body
        return ", ".join(f"{key} ×{count}" for key, count in counts.items()), first_body

    def tails(self, lines=15):
        return "\n".join(f"--- stub {host}:{port} log (last lines)\n{tail(self.logs[(host, port)], lines)}"
                         for host, port in self.plan.upstreams)


def read_stream(text):
    """(content, saw data: [DONE], error events) of a server-sent-events body."""
    content, done, errors = "", False, []
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        data = line[len("data:"):].strip()
        if data == "[DONE]":
            done = True
            continue
        try:
            event = json.loads(data)
        except ValueError:
            errors.append(data[:200])
            continue
        if isinstance(event, dict) and "error" in event:
            errors.append(json.dumps(event["error"])[:300])
        for choice in (event.get("choices") or []) if isinstance(event, dict) else []:
            content += (choice.get("delta") or {}).get("content") or ""
    return content, done, errors


def error_text(body):
    """'type: message' of a LiteLLM error answer, shortened."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        return f"{error.get('type')}: {' '.join(str(error.get('message')).split())[:240]}"
    return " ".join(str(body).split())[:240]


def chat(base, key, model, stream=False, timeout=REQUEST_TIMEOUT, prompt=None):
    """(status, content or None, body, seconds) of one chat completion through LiteLLM.
    The prompt is new each time unless given, so no response cache answers it."""
    prompt = prompt or f"ping {secrets.token_hex(8)}"
    request = {"model": model, "messages": [{"role": "user", "content": prompt}]}
    if stream:
        request["stream"] = True
    started = time.monotonic()
    status, body = http("POST", f"{base}/v1/chat/completions", key, request, timeout=timeout)
    elapsed = time.monotonic() - started
    if stream and isinstance(body, str):
        content, done, errors = read_stream(body)
        return status, (content if done and not errors else None), body, elapsed
    try:
        return status, body["choices"][0]["message"]["content"] or "", body, elapsed
    except (KeyError, IndexError, TypeError):
        return status, None, body, elapsed


def run_checks(plan, base, owner_key, owner_label, wrong_key, wrong_label, nonce):
    """Yield (ok, description) for every check with every backend up."""
    models_url, chat_url = f"{base}/v1/models", f"{base}/v1/chat/completions"

    # What a load balancer or the smoke script asks first, without a key.
    status, body = http("GET", f"{base}/health/readiness")
    state = body.get("status") if isinstance(body, dict) else None
    yield (status == 200 and state == "healthy",
           f"GET /health/readiness without a key -> {status} {json.dumps(body)[:200] if isinstance(body, dict) else str(body)[:200]!r}"
           " (want 200 healthy; no database here)")

    status, body = http("GET", models_url, owner_key)
    listed = [item.get("id") for item in body.get("data", [])] if isinstance(body, dict) else []
    missing = [name for name in plan.model_names if name not in listed]
    yield (status == 200 and not missing,
           f"GET /v1/models with {owner_label} -> {status}, lists {', '.join(listed) or 'nothing'}"
           + (f" (missing {', '.join(missing)})" if missing else ""))

    apis = {name: plan.upstreams[upstream][0] for name, upstream in plan.routes}
    for name in plan.model_names:
        for stream in (False, True):
            status, content, body, _ = chat(base, owner_key, name, stream)
            came_through = content is not None and nonce in content
            shown = f"stub answered: {content!r}" if came_through else f"no stub answer: {str(body)[:300]!r}"
            yield (status == 200 and came_through,
                   f"POST /v1/chat/completions model={name} ({apis[name]} backend{', streamed' if stream else ''}) "
                   f"with {owner_label} -> {status}, {shown}")

    # Without a key and with a wrong one, both endpoints must refuse: the chat one is
    # what spends the GPU, the models one is what a scanner tries first.
    ping = {"model": plan.model_names[0], "messages": [{"role": "user", "content": "ping"}]}
    for key, label, accepted in ((None, "no key", "401"), (wrong_key, wrong_label, "401, or 400 no_db_connection")):
        answers = [refusal(*http("GET", models_url, key), wrong_key=key is not None),
                   refusal(*http("POST", chat_url, key, ping), wrong_key=key is not None)]
        yield (all(ok for ok, _ in answers),
               f"{label} -> GET /v1/models {answers[0][1]}, POST /v1/chat/completions {answers[1][1]} (want {accepted})")


def down_checks(plan, base, key, nonce, stubs):
    """Yield (ok, description): a backend that is down fails only its own model.

    For each api_base in turn: its stub is stopped (and the port checked closed); each model
    routed there, asked plainly and streamed, must get an error status (not 2xx, not an auth
    refusal) within DOWN_TIMEOUT, with no model's answer in it; no other backend may receive
    a chat request meanwhile (LiteLLM tried no fallback); a model of another api_base must
    still answer 200 right after; then the stub is started again and the model must answer
    200 within RECOVERY_TIMEOUT (no cooldown keeps it away, as when the RUNBOOK switches a
    manual model back on). The descriptions record exactly what LiteLLM answered.
    Models with fallbacks do not fail alone: routing_checks proves where they go instead."""
    for upstream, (api, _served) in plan.upstreams.items():
        where = f"{api} backend {upstream[0]}:{upstream[1]}"
        victims = [name for name, routed in plan.routes if routed == upstream]
        others = [name for name, routed in plan.routes if routed != upstream]
        # A model with fallbacks does not fail alone: routing_checks proves where it goes.
        chained = [name for name in victims if plan.chain(name)]
        victims = [name for name in victims if name not in chained]
        if chained:
            say(f"note: {where} down: {', '.join(chained)} fall(s) back (see the outage lines), not checked to fail alone")
        if not victims:
            continue
        stubs.stop(upstream)
        try:
            if http("GET", stubs.ready_url(upstream), timeout=2)[0] is not None:
                yield False, f"{where}: still answering after its stub stopped"
                continue
            before = {other: stubs.chat_requests(other) for other in plan.upstreams if other != upstream}
            for name in victims:
                for stream in (False, True):
                    status, content, body, elapsed = chat(base, key, name, stream, timeout=DOWN_TIMEOUT)
                    text = body if isinstance(body, str) else json.dumps(body)
                    if stream and status == 200:
                        _, done, errors = read_stream(text)
                        answer = f"200 with {'an error event ' + errors[0] if errors else 'no error event'}{'' if done else ', no [DONE]'}"
                    else:
                        answer = f"{status} {error_text(body)}" if status is not None else f"no answer ({body})"
                    error_status = status is not None and status >= 400 and status not in (401, 403)
                    fell_back = nonce in text
                    yield (error_status and not fell_back and elapsed < DOWN_TIMEOUT,
                           f"{where} down: model={name}{' streamed' if stream else ''} -> {answer} in {elapsed:.1f} s"
                           + (" (carries a model's answer: a fallback!)" if fell_back else "")
                           + f" (want an error status within {DOWN_TIMEOUT} s)")
            leaked = [f"{other[0]}:{other[1]}" for other, count in before.items() if stubs.chat_requests(other) != count]
            yield (not leaked, f"{where} down: no other backend got a chat request meanwhile"
                   + (f" (but {', '.join(leaked)} did: a fallback!)" if leaked else " (no fallback)"))
            if others:
                status, content, body, elapsed = chat(base, key, others[0])
                came_through = content is not None and nonce in content
                yield (status == 200 and came_through,
                       f"{where} down: model={others[0]} (another backend) right after -> {status} in {elapsed:.1f} s"
                       + ("" if came_through else f", no stub answer: {str(body)[:200]!r}"))
            else:
                say(f"note: {where} is the config's only backend: no other model to ask while it is down")
        finally:
            stubs.start(upstream)
        started = time.monotonic()
        first = []
        def answers():
            status, content, _, _ = chat(base, key, victims[0], timeout=REQUEST_TIMEOUT)
            first.append(status)
            return status == 200 and content is not None and nonce in content
        back = wait_until(answers, RECOVERY_TIMEOUT, interval=1)
        yield (back, f"{where} back: model={victims[0]} -> "
               + (f"200 after {time.monotonic() - started:.1f} s, {len(first)} request(s), first answer {first[0]}" if back
                  else f"no 200 within {RECOVERY_TIMEOUT} s (answers {first[:3]}…{first[-1:]})"))


# ---------------------------------------------------------------------------------------
# Routing between models: fallbacks, max_parallel_requests, model_group_alias


def server_slots(plan, upstream):
    """(slots, where) of the server behind an api_base, as its command in the tree says them:
    llama-server's --parallel (-np) or vllm serve's --max-num-seqs, in the compose service or
    systemd unit whose command listens on that port (and host, when it names one); None when
    no command, or more than one that disagree, say it (a default is not read as a promise)."""
    found = set()
    for where, _node, _service, options in server_commands(plan, upstream):
        for flag in ("--parallel", "-np", "--max-num-seqs"):
            if flag in options and options[flag].isdigit():
                found.add((int(options[flag]), f"{flag} {options[flag]} of {where}"))
    return found.pop() if len({slots for slots, _ in found}) == 1 and len(found) == 1 else None


def server_commands(plan, upstream):
    """[(where, node, compose service or None, {flag: value})] of every compose service or
    systemd unit in the tree whose command listens on the api_base's port (and host, when it
    names one): on the LiteLLM node for a loopback api_base, on any node otherwise (a tailnet
    name is a host spark-gen does not deploy to: no node's command serves it)."""
    host, port = upstream
    if host in plan.names:
        return []
    loopback = ipaddress.ip_address(host).is_loopback
    nodes = [plan.node] if loopback else sorted(os.listdir(os.path.join(plan.tree, "nodes")))
    commands = []
    for node in nodes:
        for path in sorted(glob.glob(os.path.join(plan.tree, "nodes", node, "**", "*"), recursive=True)):
            name = os.path.basename(path)
            if not os.path.isfile(path):
                continue
            if name in COMPOSE_FILES:
                try:
                    services = (load_yaml(plan.venv, path) or {}).get("services") or {}
                except SetupError:
                    continue
                for service_name, service in services.items():
                    service = service or {}
                    argv = (words(service.get("entrypoint")) or []) + (words(service.get("command")) or [])
                    if not service.get("entrypoint") and LITELLM_IMAGE.match(str(service.get("image") or "")):
                        # LiteLLM's image runs `litellm "$@"` with the service's command.
                        argv = ["litellm"] + argv
                    service = dict(service, _project=on_node(plan.tree, node, os.path.dirname(path)), _argv=argv)
                    commands.append((f"compose service {service_name} on {node}", node, service, argv))
            elif name.endswith(".service"):
                text = re.sub(r"\\\n", " ", open(path, errors="replace").read())
                for line in text.splitlines():
                    if line.strip().startswith("ExecStart=") and line.strip() != "ExecStart=":
                        try:
                            commands.append((f"{name} on {node}", node, None, shlex.split(line.strip()[len("ExecStart="):].lstrip("-@+!:"))))
                        except ValueError:
                            pass
    matching = []
    for where, node, service, argv in commands:
        options = {}
        for index, word in enumerate(argv):
            flag, equals, value = word.partition("=")
            if equals and flag.startswith("-"):
                options[flag] = value
            elif word.startswith("-") and index + 1 < len(argv):
                options[word] = argv[index + 1]
        options["_program"] = argv[0] if argv else ""
        if options.get("--port") != str(port):
            continue
        if options.get("--host") not in (None, host, "0.0.0.0", "::"):
            continue
        matching.append((where, node, service, options))
    return matching


def answered_by(plan, content, delta):
    """The model_name whose stub gave this answer: the stub names the model it served, and its
    api_base is the one whose stub logged the request (delta: {upstream: new chat requests})."""
    match = re.search(r"answered model (\S+)$", content or "")
    if not match:
        return None
    names = [name for name, upstream in plan.routes if plan.served.get(name) == match.group(1)]
    reached = [name for name, upstream in plan.routes if name in names and delta.get(upstream)]
    return (reached or names or [None])[0]


def ask(plan, stubs, base, key, name, stream=False, timeout=REQUEST_TIMEOUT, prompt=None):
    """chat() and which stubs logged a chat request meanwhile: (status, content, body, seconds, delta)."""
    before = stubs.counts()
    status, content, body, elapsed = chat(base, key, name, stream, timeout=timeout, prompt=prompt)
    after = stubs.counts()
    return status, content, body, elapsed, {upstream: after[upstream] - before[upstream]
                                             for upstream in after if after[upstream] != before[upstream]}


def outcome(plan, nonce, status, content, body, delta):
    """How LiteLLM answered, for a line: '200 from MODEL' or 'STATUS error', and the stubs it reached."""
    if status == 200 and content is not None and nonce in content:
        shown = f"200 from {answered_by(plan, content, delta) or 'no known stub'}"
    elif status is None:
        shown = f"no answer ({body})"
    else:
        text = body if isinstance(body, str) else json.dumps(body)
        shown = f"{status} {error_text(body) if not (isinstance(body, str) and text.startswith('data:')) else 'stream ' + (read_stream(text)[2] or ['without an error event'])[0][:200]}"
    reached = ", ".join(f"{host}:{port}" for host, port in sorted(delta))
    return shown + f", stubs reached: {reached or 'none'}"


def expect_model(plan, nonce, upstream_of, result, expected):
    """Whether the answer is expected's, from expected's stub alone, once."""
    status, content, body, elapsed, delta = result
    return (status == 200 and content is not None and nonce in content
            and answered_by(plan, content, delta) == expected
            and delta == {upstream_of[expected]: 1})


def expect_refusal(nonce, result):
    """Whether the answer is an error status that no stub answered and no stub received."""
    status, content, body, elapsed, delta = result
    text = body if isinstance(body, str) else json.dumps(body)
    return status is not None and status >= 400 and status not in (401, 403) and nonce not in text and not delta


def routing_checks(plan, base, key, nonce, stubs):
    """Yield (ok, description) of what the config routes between models, end to end:

      spill    a model with max_parallel_requests N and a chain: its stub made slow (HOLD s a
               request), N requests held in flight there, one more (plain, then streamed) is
               answered within SPILL_WITHIN by the stub of the chain's first model and reaches
               no other; the held ones are answered by the model's own stub after HOLD, which
               received exactly those N; then, the stub fast again, the model answers from its
               own stub (its slots are free, no cooldown). A model with a chain and no cap whose
               server's slots the tree states (llama-server --parallel, vllm --max-num-seqs) is
               held at those slots and must spill the same way: without a cap the next request
               would queue inside the server, where no fallback sees it;
      outage   a model with a chain whose backend is down is answered by the first model of its
               chain (plain and streamed), and with that one down too, by the next (LiteLLM
               follows a target's own chain first: Plan.chain), and so on down the chain;
               afterwards the model answers from its own stub again;
      senior   a model whose chain is written empty (under its name or a route alias's) with its
               backend down: asked by its name and by each alias, plain and streamed, the client
               gets an error status (its code is shown) and no stub receives the request;
      alias    each model_group_alias carries the chain of the model it names (LiteLLM looks
               fallbacks up under the name the client called), answers from that model's stub,
               and with that model down from the first model of its chain (or, with none, an
               error that reaches no stub).

    Models without a chain still fail alone when down: that is down_checks'."""
    routes = {}
    for name, upstream in plan.routes:
        routes.setdefault(name, []).append(upstream)
    many = sorted(name for name, upstreams in routes.items() if len(upstreams) > 1
                  and (plan.chain(name) or name in plan.caps or name in plan.aliases.values()))
    if many:
        yield False, (f"routing: {', '.join(many)} have more than one deployment: LiteLLM picks one at random, "
                      "whatever its cap, so a spill is not reliable (and this check models one per name)")
        return
    upstream_of = {name: upstreams[0] for name, upstreams in routes.items()}
    names = list(dict.fromkeys(plan.model_names))
    seniors = plan.seniors()
    unknown = sorted({target for targets in plan.fallbacks.values() for target in targets if target not in upstream_of}
                     | {model for model in plan.aliases.values() if model not in upstream_of})
    if unknown:
        yield False, f"routing: the fallbacks or aliases name {', '.join(unknown)}, which model_list does not route"
    catch_all = "*" in plan.fallbacks or plan.router_settings.get("default_fallbacks")
    yield (not catch_all, "routing: no catch-all chain ('*' or default_fallbacks), which would take every model "
           "without a chain of its own, the senior ones included" + (" (there is one!)" if catch_all else ""))

    # spill: a busy model's next request goes to its fallback at once.
    for name in names:
        order = [target for target in plan.chain(name) if target in upstream_of]
        cap = plan.caps.get(name)
        if name in seniors:
            continue
        if not order:
            if cap is not None:
                say(f"note: spill: model={name} has max_parallel_requests {cap} and no fallbacks: past it the client gets 429 (not checked)")
            continue
        upstream, target = upstream_of[name], order[0]
        slots = server_slots(plan, upstream)
        if cap is None and slots is None:
            say(f"note: spill: model={name} falls back but has no max_parallel_requests, and no command in the tree "
                "states its server's slots: not checked")
            continue
        held = cap if cap is not None else slots[0]
        label = (f"spill: model={name} (max_parallel_requests {cap})" if cap is not None else
                 f"spill: model={name} (no max_parallel_requests; its server runs {held} at once: {slots[1]})")
        if upstream_of[target] == upstream:
            say(f"note: {label}: its first fallback {target} has the same api_base, which is slow too")
        start_count = stubs.chat_requests(upstream)
        stubs.stop(upstream)
        stubs.start(upstream, delay=HOLD)
        prompts = [f"hold {index} {secrets.token_hex(8)}" for index in range(held)]
        results = [None] * held
        def run(index):
            results[index] = chat(base, key, name, timeout=HOLD + REQUEST_TIMEOUT, prompt=prompts[index])
        threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(held)]
        try:
            for thread in threads:
                thread.start()
            arrived = wait_until(lambda: stubs.arrived(upstream, prompts) >= held, ARRIVE_TIMEOUT, interval=0.1)
            yield (arrived, f"{label}: {stubs.arrived(upstream, prompts)} of {held} request(s) held in flight at "
                   f"{upstream[0]}:{upstream[1]}, whose stub holds each {HOLD:.0f} s (want all within {ARRIVE_TIMEOUT} s)")
            if arrived:
                for stream in (False, True):
                    result = ask(plan, stubs, base, key, name, stream, timeout=HOLD + REQUEST_TIMEOUT)
                    yield (expect_model(plan, nonce, upstream_of, result, target) and result[3] < SPILL_WITHIN,
                           f"{label}: with {held} in flight, one more{' streamed' if stream else ''} -> "
                           f"{outcome(plan, nonce, *result[:3], result[4])} in {result[3]:.1f} s "
                           f"(want {target}, its first fallback, within {SPILL_WITHIN:.0f} s: LiteLLM's 429 at the cap spills it)")
            for thread in threads:
                thread.join(HOLD + REQUEST_TIMEOUT + 5)
            answers = [f"{result[0]} from {answered_by(plan, result[1], {upstream: 1}) or 'no stub'} in {result[3]:.1f} s"
                       if result else "no answer" for result in results]
            own = all(result and result[0] == 200 and result[1] and nonce in result[1]
                      and answered_by(plan, result[1], {upstream: 1}) == name and result[3] >= 0.9 * HOLD for result in results)
            received = stubs.chat_requests(upstream) - start_count
            yield (own and received == held,
                   f"{label}: the {held} held request(s) -> {', '.join(answers)}; its stub received {received} chat "
                   f"request(s) (want {held}, each 200 from {name} after about {HOLD:.0f} s: the spilled ones never reached it)")
        finally:
            stubs.stop(upstream)
            stubs.start(upstream)
        result = ask(plan, stubs, base, key, name)
        yield (expect_model(plan, nonce, upstream_of, result, name),
               f"{label}: afterwards model={name} -> {outcome(plan, nonce, *result[:3], result[4])} "
               "(want its own stub: the held slots are free again, no cooldown)")

    # outage: a model whose backend is down is answered down its chain.
    for name in names:
        order = [target for target in plan.chain(name) if target in upstream_of]
        if not order or name in seniors:
            continue
        for index, expected in enumerate(order):
            down = list(dict.fromkeys([upstream_of[name]] + [upstream_of[target] for target in order[:index]]))
            if upstream_of[expected] in down:
                continue
            label = f"outage: {name} down" + (f", {', '.join(order[:index])} down too" if index else "")
            for upstream in down:
                stubs.stop(upstream)
            try:
                for stream in ((False, True) if index == 0 else (False,)):
                    result = ask(plan, stubs, base, key, name, stream, timeout=DOWN_TIMEOUT)
                    yield (expect_model(plan, nonce, upstream_of, result, expected),
                           f"{label}: model={name}{' streamed' if stream else ''} -> {outcome(plan, nonce, *result[:3], result[4])} "
                           f"in {result[3]:.1f} s (want {expected}, {'its first fallback' if index == 0 else 'the next of its chain'})")
            finally:
                for upstream in down:
                    stubs.start(upstream)
        yield recovered(plan, nonce, upstream_of, stubs, base, key, name, f"outage: {name} back")

    # senior: down, it fails, by every name, and nobody else hears of it.
    for name in seniors:
        asked = [name] + [alias for alias, model in plan.aliases.items() if model == name]
        upstream = upstream_of[name]
        stubs.stop(upstream)
        try:
            for label_name in asked:
                for stream in (False, True):
                    result = ask(plan, stubs, base, key, label_name, stream, timeout=DOWN_TIMEOUT)
                    yield (expect_refusal(nonce, result) and result[3] < DOWN_TIMEOUT,
                           f"senior: {name} down: model={label_name}{' streamed' if stream else ''} -> "
                           f"{outcome(plan, nonce, *result[:3], result[4])} in {result[3]:.1f} s "
                           "(want an error status that reaches no stub: a senior model never falls back)")
        finally:
            stubs.start(upstream)
        yield recovered(plan, nonce, upstream_of, stubs, base, key, name, f"senior: {name} back")

    # alias: a route name is its model, chain included.
    for alias, model in plan.aliases.items():
        if model not in upstream_of:
            continue
        yield (plan.fallbacks.get(alias) == plan.fallbacks.get(model),
               f"alias: route {alias} -> {model}: its chain {plan.fallbacks.get(alias)} is {model}'s "
               f"{plan.fallbacks.get(model)} (LiteLLM looks a chain up under the name the client called)")
        result = ask(plan, stubs, base, key, alias)
        yield (expect_model(plan, nonce, upstream_of, result, model),
               f"alias: model={alias} -> {outcome(plan, nonce, *result[:3], result[4])} (want {model}'s stub)")
        if model in seniors:
            continue        # down, it is the senior lines'
        upstream = upstream_of[model]
        order = [target for target in plan.chain(model) if target in upstream_of and upstream_of[target] != upstream]
        stubs.stop(upstream)
        try:
            result = ask(plan, stubs, base, key, alias, timeout=DOWN_TIMEOUT)
            if order:
                ok, want = expect_model(plan, nonce, upstream_of, result, order[0]), f"{order[0]}, {model}'s first fallback"
            else:
                ok, want = expect_refusal(nonce, result), f"an error that reaches no stub: {model} has no fallbacks"
            yield ok, f"alias: {model} down: model={alias} -> {outcome(plan, nonce, *result[:3], result[4])} in {result[3]:.1f} s (want {want})"
        finally:
            stubs.start(upstream)
        yield recovered(plan, nonce, upstream_of, stubs, base, key, alias, f"alias: {model} back")


def recovered(plan, nonce, upstream_of, stubs, base, key, name, label):
    """(ok, description): the name answers from its own model's stub again within RECOVERY_TIMEOUT."""
    model = plan.aliases.get(name, name)
    started, answers = time.monotonic(), []
    def answers_again():
        result = ask(plan, stubs, base, key, name)
        answers.append(result)
        return expect_model(plan, nonce, upstream_of, result, model)
    back = wait_until(answers_again, RECOVERY_TIMEOUT, interval=1)
    last = answers[-1]
    return back, (f"{label}: model={name} -> {outcome(plan, nonce, *last[:3], last[4])} after {time.monotonic() - started:.1f} s, "
                  f"{len(answers)} request(s) (want {model}'s stub within {RECOVERY_TIMEOUT} s)")


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


# ---------------------------------------------------------------------------------------
# Redis and NGINX, as the node's compose services run them


def compose_env_files(service, project_on_node, what):
    """[(path on the node, optional)] of a compose service's env_file."""
    files = []
    entries = service.get("env_file") or []
    for entry in [entries] if isinstance(entries, (str, dict)) else entries:
        file, required = (entry, True) if isinstance(entry, str) else (entry["path"], entry.get("required", True))
        if file.startswith("~"):
            raise SetupError(f"{what}: env_file {file}: a ~ path depends on who runs docker compose")
        files.append((os.path.normpath(os.path.join(project_on_node, file)), not required))
    return files


class Redis:
    """The node's Redis compose service, run as its command says (see redis_run.py)."""

    def __init__(self, plan, workdir):
        path, self.name, self.service = plan.redis
        self.label = f"compose service {self.name} ({os.path.relpath(path, plan.tree)})"
        if self.service.get("network_mode") != "host":
            raise SetupError(f"{self.label} has network_mode {self.service.get('network_mode')!r}, not host: "
                             "LiteLLM would not reach it on the node's addresses, and this check runs it there")
        try:
            command, self.server_words = redis_run.command_words(self.label, self.service)
            entrypoint = [redis_run.unescape(self.label, str(word)) for word in words(self.service.get("entrypoint")) or []]
            self.listeners = redis_run.listen(self.label, self.service)
        except ValueError as error:
            raise SetupError(str(error))
        self.env_files = compose_env_files(self.service, on_node(plan.tree, plan.node, os.path.dirname(path)), self.label)
        # ENTRYPOINT ["docker-entrypoint.sh"], by PATH as in the image; compose's entrypoint replaces it.
        self.argv = (entrypoint or ["docker-entrypoint.sh"]) + command
        self.log = os.path.join(workdir, "redis.log")
        self.process = self.scratch = None
        self.environment = {}

    def start(self, root):
        # Readable by the redis user, who runs the entrypoint again after setpriv: not the
        # private workdir. Holds the entrypoint and the image's WORKDIR (/data) stand-in,
        # which the entrypoint chowns to redis: never a directory of the host.
        self.scratch = tempfile.mkdtemp(prefix="sgl-redis-")
        os.chmod(self.scratch, 0o755)
        self.bin, self.data = os.path.join(self.scratch, "bin"), os.path.join(self.scratch, "data")
        os.mkdir(self.bin, 0o755)
        os.mkdir(self.data, 0o755)
        with open(os.path.join(self.bin, "docker-entrypoint.sh"), "w") as handle:
            handle.write(redis_run.ENTRYPOINT)
        os.chmod(os.path.join(self.bin, "docker-entrypoint.sh"), 0o755)
        self.environment = {"PATH": f"{self.bin}:{SYSTEMD_PATH}", "LANG": "C.UTF-8"}
        self.environment.update(read_environment_files(self.env_files, root, "docker compose would not start the service"))
        for key, value in (self.service.get("environment") or {}).items() if isinstance(self.service.get("environment"), dict) else ():
            self.environment[key] = str(value)
        if shutil.which("redis-server", path=SYSTEMD_PATH) is None:
            raise SetupError("redis-server is not installed (scripts/bootstrap.sh --test installs it)")
        say(f"redis:     {self.label}: {shlex.join(self.argv)}")
        self.process = start(self.argv, self.log, env=self.environment, cwd=self.data)
        host, port = self.address()
        def answers():
            try:
                return redis_run.talk(host, port, [["PING"]], timeout=2)[0] is not None
            except (OSError, ConnectionError):
                return False
        if not wait_until(lambda: self.process.poll() is not None or answers(), REDIS_TIMEOUT) or self.process.poll() is not None:
            state = f"exited with {self.process.returncode}" if self.process.poll() is not None else f"not answering after {REDIS_TIMEOUT} s"
            raise SetupError(f"Redis ({self.label}) {state} on {host}:{port}:\n{tail(self.log)}")
        say(f"redis:     answering on {', '.join(f'{b}:{p}' for b, p in self.listeners)}")

    def address(self, listener=None):
        bind, port = listener or self.listeners[0]
        return ("127.0.0.1" if bind == "0.0.0.0" else bind), port

    def stop(self):
        stop(self.process)
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


# redis-server options whose value is a password.
PASSWORD_OPTIONS = {"requirepass", "masterauth"}


def resolve(value, environment):
    """A config value, with `os.environ/NAME` read from LiteLLM's environment."""
    if isinstance(value, str) and value.startswith("os.environ/"):
        return environment.get(value[len("os.environ/"):])
    return value


def command_lines_holding(secret):
    """pid: command of every process whose command line holds the secret."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = open(f"/proc/{entry}/cmdline", "rb").read()
        except OSError:
            continue
        if secret.encode() in raw:
            found[int(entry)] = raw.replace(b"\0", b" ").decode(errors="replace")[:120]
    return found


def redis_checks(plan, redis, environment, base, key, nonce, stubs):
    """Yield (ok, description): Redis asks for its password, LiteLLM caches there with it."""
    if redis is not None:
        for listener in redis.listeners:
            host, port = redis.address(listener)
            try:
                reply = redis_run.talk(host, port, [["PING"]])[0]
            except (OSError, ConnectionError) as error:
                reply = f"no answer ({error})"
            yield (isinstance(reply, str) and reply.startswith("-NOAUTH"),
                   f"redis {host}:{port}: a client without the password -> {reply} (want NOAUTH)")
        # Redis rewrites its process title ("redis-server 127.0.0.1:6379") as it starts, so
        # /proc would not show a password given as an argument: the command's redis-server
        # arguments are read for one, and /proc is searched for the values all the same
        # (a shell whose printf is no builtin, say, would show it there).
        secrets_of_redis = {name: value for name, value in redis.environment.items()
                            if name not in ("PATH", "LANG") and len(value) >= 16}
        leaked = {f"{name} in pid {pid}: {command}" for name, value in secrets_of_redis.items()
                  for pid, command in command_lines_holding(value).items()}
        server_words = redis.server_words[redis.server_words.index("redis-server") + 1:] if "redis-server" in redis.server_words else []
        leaked |= {f"redis-server is given {word}" for word in server_words if word.lstrip("-") in PASSWORD_OPTIONS}
        yield (bool(secrets_of_redis) and not leaked,
               f"no command line holds a secret of {redis.name}'s env files ({', '.join(sorted(secrets_of_redis)) or 'none found'}),"
               " and redis-server gets no password option"
               + (f": {'; '.join(sorted(leaked))}" if leaked else ""))
    cache = plan.redis_cache
    if cache is None:
        if redis is not None:
            say(f"note: {redis.label} runs, but the config caches nothing in it")
        return
    host, port = resolve(cache.get("host", "localhost"), environment), resolve(cache.get("port", 6379), environment)
    password = resolve(cache.get("password"), environment)
    host = "127.0.0.1" if host == "localhost" else str(host)
    where = f"the config's cache_params {host}:{port}"
    if redis is None:
        yield False, f"{where}: the config caches in Redis but no compose service of node {plan.node} runs Redis"
        return
    served = any(int(port) == p and (bind == host or bind == "0.0.0.0") for bind, p in redis.listeners)
    yield served, f"{where} is where {redis.name} listens ({', '.join(f'{b}:{p}' for b, p in redis.listeners)})"
    if not served:
        return
    port = int(port)
    auth = [["AUTH", password]] if password else []
    try:
        replies = redis_run.talk(host, port, auth + [["PING"]])
    except (OSError, ConnectionError) as error:
        replies = [f"no answer ({error})"]
    yield (replies == (["OK"] if auth else []) + ["PONG"],
           f"redis {host}:{port} with the config's password ({cache.get('password')}) -> {', '.join(map(str, replies))} (want OK, PONG)")

    def cached_keys():
        """{key: value} of every string key in Redis."""
        found = {}
        try:
            names = redis_run.talk(host, port, auth + [["KEYS", "*"]])[-1]
            for name in names if isinstance(names, list) else []:
                value = redis_run.talk(host, port, auth + [["GET", name]])[-1]
                found[name.decode(errors="replace")] = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
        except (OSError, ConnectionError):
            pass
        return found

    model = plan.model_names[0]
    upstream = dict(plan.routes)[model]
    prompt = f"cache me {secrets.token_hex(8)}"
    before_keys = cached_keys()
    before = stubs.chat_requests(upstream)
    first = chat(base, key, model, prompt=prompt)
    stored = {}
    def written():
        stored.update({name: value for name, value in cached_keys().items()
                       if name not in before_keys and first[1] and first[1] in value})
        return bool(stored)
    wait_until(written, CACHE_TIMEOUT, interval=0.3)
    second = chat(base, key, model, prompt=prompt)
    reached = stubs.chat_requests(upstream) - before
    answered = all(status == 200 and content is not None and nonce in content for status, content, _, _ in (first, second))
    if stored:
        name = sorted(stored)[0]
        try:
            ttl = redis_run.talk(host, port, auth + [["TTL", name]])[-1]
        except (OSError, ConnectionError):
            ttl = None
        # What the operator will want to know: a TTL of -1 is kept until Redis runs out of memory.
        shown = f" ({name[:16]}…, TTL {'none: kept until evicted' if ttl == -1 else f'{ttl} s'})"
    else:
        new_keys = {name: value for name, value in cached_keys().items() if name not in before_keys}
        shown = f" (none within {CACHE_TIMEOUT} s; new keys: " + "; ".join(f"{name[:16]}…={value[:300]!r}" for name, value in new_keys.items()) + ")"
    yield bool(stored), f"redis {host}:{port} holds LiteLLM's answer to model={model} under a new key" + shown
    yield (answered and reached == 1 and first[1] == second[1],
           f"the same chat request to model={model} twice -> {first[0]}, {second[0]}; the backend got {reached} of them (want 1: the second from the cache)")


class Nginx:
    """The node's NGINX compose service, in a private mount namespace (see nginx_run.py)."""

    def __init__(self, plan, workdir):
        path, self.name, service, mounts = plan.nginx[0]
        self.label = f"compose service {self.name} ({os.path.relpath(path, plan.tree)})"
        self.scratch = os.path.join(workdir, "nginx")
        os.mkdir(self.scratch, 0o700)
        self.setup = nginx_run.Setup(plan.tree, plan.node, path, self.name, service, mounts, self.scratch)
        if self.setup.problems:
            raise SetupError(f"{self.label}: {'; '.join(self.setup.problems)}")
        try:
            listeners = nginx_run.service_listeners(plan.tree, plan.node, mounts)
        except ValueError as error:
            raise SetupError(f"{self.label}: {error}")
        tls = [(bind, port) for bind, port in listeners if port != 80] or listeners
        bind, self.port = tls[0]
        self.host = "127.0.0.1" if bind == "0.0.0.0" else bind
        self.base = f"https://{url_host(self.host)}:{self.port}"
        # What the confs call the server, for the certificate's names.
        self.server_names = sorted({name for source, _ in self.setup.confs
                                    for args in nginx_run.directives(nginx_run.parse(open(self.setup.conf_in_tree(source)).read()), "server_name")
                                    for name in args if name not in ("_", "") and not name.startswith(("~", "*", "."))})
        self.self_signed = self.setup.certs_on_node is not None
        # The certificate NGINX serves, copied out of the private namespace to check it here.
        self.cert = os.path.join(self.scratch, "served-cert.pem")
        self.log = os.path.join(workdir, "nginx.log")
        self.process = None

    def start(self):
        if self.self_signed:
            source = self.setup.ssl_sources().get("cert")
            after = f"cp {shlex.quote(source)} {shlex.quote(self.cert)}" if source else ""
            script = self.setup.script(["-g", "daemon off;"], after_certs=after, certs_runs=1)
        else:
            script = self.setup.script(["-g", "daemon off;"], certs_runs=0)
            self.cert = os.path.join(self.scratch, "stand-in-cert.pem")
        for note in self.setup.notes:
            say(f"note: {note}")
        say(f"nginx:     {self.label}: nginx -g 'daemon off;' in a private mount namespace, {self.base}")
        self.process = start(["unshare", "--mount", "bash", "-c", script], self.log)
        if not wait_until(lambda: self.process.poll() is not None or http("GET", f"{self.base}/health/liveliness", timeout=3)[0] == 200,
                          NGINX_TIMEOUT) or self.process.poll() is not None:
            state = f"exited with {self.process.returncode}" if self.process.poll() is not None else f"no 200 after {NGINX_TIMEOUT} s"
            raise SetupError(f"NGINX ({self.label}) {state} on {self.base}/health/liveliness:\n{tail(self.log)}")

    def stop(self):
        stop(self.process)


def slow_stream(nginx, key, model, timeout=REQUEST_TIMEOUT):
    """(status, headers, [(seconds, data)] of every SSE data line, error) of a streamed chat
    completion through NGINX whose stub answer comes slowly (SLOW_MARKER)."""
    body = json.dumps({"model": model, "stream": True,
                       "messages": [{"role": "user", "content": f"{SLOW_MARKER} {secrets.token_hex(8)}"}]})
    connection = HTTPSConnection(nginx.host, nginx.port, context=UNVERIFIED, timeout=timeout)
    events = []
    try:
        started = time.monotonic()
        connection.request("POST", "/v1/chat/completions", body,
                           {"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
        response = connection.getresponse()
        while True:
            line = response.readline()
            if not line:
                break
            if line.startswith(b"data:"):
                events.append((time.monotonic() - started, line[5:].strip().decode(errors="replace")))
        return response.status, {name.lower(): value for name, value in response.getheaders()}, events, None
    except OSError as error:
        return None, {}, events, str(error)
    finally:
        connection.close()


def nginx_checks(plan, nginx, key, nonce):
    """Yield (ok, description) of LiteLLM through NGINX (see the docstring)."""
    # The certificate: the one certs.sh made (or the stand-in), valid for the names a client uses.
    for name in [nginx.host] + nginx.server_names:
        try:
            context = ssl.create_default_context(cafile=nginx.cert)
            with socket_connect(nginx.host, nginx.port) as raw, context.wrap_socket(raw, server_hostname=name) as tls:
                subject = dict(item[0] for item in tls.getpeercert()["subject"])
            yield True, f"nginx {nginx.base}: the certificate verifies against {'scripts/certs.sh' if nginx.self_signed else 'the stand-in'}'s for {name} (CN={subject.get('commonName')})"
        except (OSError, ssl.SSLError, ValueError) as error:
            yield False, f"nginx {nginx.base}: the certificate does not verify for {name} against {nginx.cert}: {error}"

    headers = {}
    status, body = http("GET", f"{nginx.base}/health/liveliness", headers_out=headers)
    yield status == 200, f"GET {nginx.base}/health/liveliness -> {status}"
    hsts = headers.get("strict-transport-security")
    if nginx.self_signed:
        yield hsts is None, "nginx sends no Strict-Transport-Security with the self-signed pair" + (f" (it sends {hsts!r})" if hsts else "")
    else:
        yield hsts is not None, f"nginx sends Strict-Transport-Security with the topology's certificate ({hsts!r})"
    status, body = http("GET", f"{nginx.base}/v1/models", key)
    listed = [item.get("id") for item in body.get("data", [])] if isinstance(body, dict) else []
    yield (status == 200 and all(name in listed for name in plan.model_names),
           f"GET {nginx.base}/v1/models with the owner's key -> {status}, lists {', '.join(listed) or 'nothing'}")
    status, body = http("GET", f"{nginx.base}/v1/models")
    yield status == 401, f"GET {nginx.base}/v1/models without a key -> {status} (want 401)"

    model = plan.model_names[0]
    status, headers, events, error = slow_stream(nginx, key, model)
    content, done, chunks, times = "", False, 0, []
    for seconds, data in events:
        if data == "[DONE]":
            done, end = True, seconds
            continue
        try:
            event = json.loads(data)
        except ValueError:
            continue
        piece = "".join((choice.get("delta") or {}).get("content") or "" for choice in event.get("choices") or [])
        if piece:
            content += piece
            chunks += 1
            times.append(seconds)
    spread = SLOW_PAUSE * (SLOW_PIECES - 1)
    early = bool(times) and done and end - times[0] >= 0.8 * spread
    yield (status == 200 and nonce in content and done and chunks >= SLOW_PIECES and early,
           f"streamed POST {nginx.base}/v1/chat/completions model={model} -> {status}, {chunks} content chunk(s) at "
           f"{', '.join(f'{t:.1f}' for t in times)} s, [DONE] {'at ' + format(end, '.1f') + ' s' if done else 'missing'}"
           f" (want >= {SLOW_PIECES} chunks, the first >= {0.8 * spread:.1f} s before the end: NGINX holds nothing back)"
           + (f"; {error}" if error else "") + ("" if nonce in content else f"; no stub answer: {content[:120]!r}"))


def socket_connect(host, port, timeout=REQUEST_TIMEOUT):
    import socket
    return socket.create_connection((host, port), timeout=timeout)


def inside(arguments):
    namespace, workdir = arguments.inside, arguments.workdir
    # Never run the proxy on the host's network by mistake.
    if not in_namespace(namespace):
        raise SetupError(f"--inside {namespace}: this process is not in that network namespace")
    plan = Plan(arguments.tree, arguments.node, arguments.venv, arguments.intent)
    plan.nodes_root = os.path.join(workdir, "nodes")
    root, home, cwd = (os.path.join(workdir, part) for part in ("root", "home", "cwd"))
    for path in (home, cwd):
        os.makedirs(path, mode=0o700)

    say(f"launcher: {plan.launcher.label}")
    for note in plan.launcher.notes:
        say(f"note: {note}")
    owner_label = f"{plan.node}'s key"
    redis = Redis(plan, workdir) if plan.redis else None
    owner_key = secret_files(plan, root, also=redis.env_files if redis else ())
    if arguments.other_node:
        # The other node's key: made the way its RUNBOOK makes it, a different random sk- key.
        other = Plan(arguments.tree, arguments.other_node, arguments.venv, arguments.intent)
        wrong_key, wrong_label = test_value(other.master_key_variable), f"{other.node}'s key"
    else:
        wrong_key, wrong_label = test_value(plan.master_key_variable), "a wrong key"
    assert wrong_key != owner_key
    environment = plan.launcher.environment(root, home)
    # Test-only: LiteLLM would otherwise fetch its model cost map from the internet.
    environment["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    say(f"environment: {' '.join(sorted(environment))}")

    litellm = nginx = None
    nonce = secrets.token_hex(8)
    stubs = Stubs(plan, workdir, nonce)
    results = []

    def settled():
        """--fail-fast (a break case): stop after the part of the checks that failed; the parts
        after it were proven on the unbroken tree."""
        if arguments.fail_fast and not all(results):
            raise FailFast()
    try:
        for ok, description in env_file_checks(plan):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        for ok, description in copied_file_checks(plan):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        # Servers that require a key, as their commands in the tree say (server_key).
        plan.keys = {}
        for upstream in plan.upstreams:
            found = server_key(plan, root, upstream)
            if found:
                plan.keys[upstream] = found
        stubs.set_keys({upstream: key for upstream, (key, _origin) in plan.keys.items()})
        for ok, description in named_host_checks(plan):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        if arguments.config_only:
            # The file as LiteLLM's own config loader reads it (router_readback.py builds the
            # Router with the proxy's load_config, as the proxy does at its start), without
            # starting a proxy: for a break case of the config (--config-only).
            say("config only: the files and LiteLLM's config loader; no proxy started")
            for ok, description in router_settings.checks(plan, plan.venv, environment, cwd, None, owner_key, bool(plan.nginx)):
                results.append(ok)
                say(f"{'ok  ' if ok else 'FAIL'} {description}")
            raise ConfigOnly()
        settled()
        # A stub on each api_base, serving the models the config routes there.
        for upstream in plan.upstreams:
            api, models = stubs.start(upstream)
            say(f"stub: {upstream[0]}:{upstream[1]} speaks the {api} API, serves {', '.join(models)}")
        # The RUNBOOK starts Redis before LiteLLM, which connects to its cache at startup.
        if redis:
            redis.start(root)

        # The launcher's command, with the venv's litellm and the config from the tree.
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
        say(plan.launcher.shown)
        say(f"config:    {plan.config_in_argv} is {plan.config_on_node} on the node")
        say(f"running:   ip netns exec {namespace} {shlex.join(command)}")
        # The cwd is a scratch dir rather than the tree's copy of WorkingDirectory, so
        # nothing LiteLLM writes lands in a committed tree; the config path is absolute.
        litellm_log = os.path.join(workdir, "litellm.log")
        connect = "127.0.0.1" if plan.host in ("0.0.0.0", "") else ("::1" if plan.host == "::" else plan.host)
        base = f"http://{url_host(connect)}:{plan.port}"
        def launch(environment):
            started = time.monotonic()
            process = start(command, litellm_log, append=True, env=environment, cwd=cwd)
            if not wait_until(lambda: process.poll() is not None or http("GET", f"{base}/health/liveliness", timeout=2)[0] == 200,
                              LIVENESS_TIMEOUT) or process.poll() is not None:
                state = f"exited with {process.returncode}" if process.poll() is not None else f"not live after {LIVENESS_TIMEOUT} s"
                stop(process)
                raise SetupError(f"LiteLLM {state}:\n{tail(litellm_log)}")
            say(f"litellm: live on {base} after {time.monotonic() - started:.1f} s")
            return process
        # LiteLLM's config loader reads the file (router_settings.py) while the proxy starts:
        # both import LiteLLM, and on a second core the reading is ready when the proxy is.
        reading = router_settings.Reading(plan.venv, plan.config_path, environment, cwd)
        litellm = launch(environment)
        plan.owner_key = owner_key

        for ok, description in run_checks(plan, base, owner_key, owner_label, wrong_key, wrong_label, nonce):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        # The router settings and timeouts of the file, as LiteLLM itself reads them (router_settings.py).
        settled()
        for ok, description in router_settings.checks(plan, plan.venv, environment, cwd, base, owner_key, bool(plan.nginx),
                                                      started=reading):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        settled()
        for ok, description in keyed_checks(plan, stubs, base, owner_key, nonce):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        settled()
        # What LiteLLM sent each backend so far: the API it spoke, as the stub logged it.
        for upstream in plan.upstreams:
            requests, body = stubs.received(upstream)
            say(f"stub {upstream[0]}:{upstream[1]} received (this check's readiness probe included): {requests or 'nothing'}")
            if body:
                say(f"  first chat request: {body}")
        if redis or plan.redis_cache:
            for ok, description in redis_checks(plan, redis, environment, base, owner_key, nonce, stubs):
                results.append(ok)
                say(f"{'ok  ' if ok else 'FAIL'} {description}")
        settled()
        if plan.nginx:
            # It stays up for the node's scripts below, which send their completions through it.
            nginx = Nginx(plan, workdir)
            try:
                nginx.start()
                say(f"nginx:     answering on {nginx.base}")
                for ok, description in nginx_checks(plan, nginx, owner_key, nonce):
                    results.append(ok)
                    say(f"{'ok  ' if ok else 'FAIL'} {description}")
            except SetupError as error:
                results.append(False)
                say(f"FAIL {error}")
        settled()
        # The node's smoke.sh and verify.sh's LiteLLM section, for real: every backend up, then
        # each down in turn (node_scripts.py).
        scripts = node_scripts.NodeScripts(plan, root, workdir, nginx_run.NODE_ROOT,
                                           {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8", "HOME": home})
        for ok, description in list(scripts.up_checks()) + list(scripts.down_checks(stubs, base, owner_key)):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        settled()
        if plan.routing:
            for ok, description in routing_checks(plan, base, owner_key, nonce, stubs):
                results.append(ok)
                say(f"{'ok  ' if ok else 'FAIL'} {description}")
        else:
            say("note: no routing between models (no fallbacks, max_parallel_requests or model_group_alias): each fails alone")
        settled()
        for ok, description in down_checks(plan, base, owner_key, nonce, stubs):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        settled()
        # Last: a wrong key in the copy, read by a restarted LiteLLM.
        def restart():
            nonlocal litellm
            stop(litellm)
            litellm = launch(plan.launcher.environment(root, home) | {"LITELLM_LOCAL_MODEL_COST_MAP": "True"})
            return base
        for ok, description in wrong_key_checks(plan, root, stubs, restart, nonce):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        if not all(results):
            say("--- litellm log (last lines)")
            say(tail(litellm_log, 30))
            say(stubs.tails())
            for process, log in ((redis, redis.log if redis else None), (nginx, nginx.log if nginx else None)):
                if process:
                    say(f"--- {process.label} log (last lines)\n{tail(log, 20)}")
    except SetupError as error:
        results.append(False)
        say(f"FAIL {error}")
    except ConfigOnly:
        pass
    except FailFast:
        say("stopped after the first part with a failure (--fail-fast); the litellm log's last lines:")
        say(tail(litellm_log, 30) if litellm else "(no proxy started)")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if nginx:
            nginx.stop()
        stop(litellm)
        if redis:
            redis.stop()
        stubs.stop_all()
    say(f"litellm: {results.count(True)} passed, {results.count(False)} failed")
    return 0 if results and all(results) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True, help="output tree of `spark-gen build`")
    parser.add_argument("--node", required=True, help="node whose LiteLLM to check")
    parser.add_argument("--other-node", help="use this node's (different) key as the wrong key")
    parser.add_argument("--intent", help="`spark-gen trust --format json` of the topology: the tailnet names of "
                        "backends' hosts, which an api_base may use")
    parser.add_argument("--venv", default=DEFAULT_VENV, help=f"venv for LiteLLM (default {DEFAULT_VENV})")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop after the first part of the checks with a failure (for break cases)")
    parser.add_argument("--config-only", action="store_true",
                        help="only the env files, the secrets manifest and the config as LiteLLM's own loader reads it "
                             "(router_settings.py); no proxy, no backends: for break cases of the config")
    # Internal: the re-executed run inside the namespace.
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    arguments.tree = os.path.abspath(arguments.tree)
    arguments.venv = os.path.abspath(arguments.venv)
    if arguments.intent:
        arguments.intent = os.path.abspath(arguments.intent)

    # A caller may start this with signals blocked (swift test's process spawner blocks
    # SIGTERM and SIGINT), and every child inherits the mask: a stub or LiteLLM would then
    # ignore each SIGTERM of stop() and wait out STOP_GRACE for its SIGKILL.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
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
