#!/usr/bin/env python3
"""Runs a generated catalog's scripts/swap.sh for real, against stand-ins for Docker, ssh and vLLM.

  swap_check.py --tree OUT_DIR --intent TRUST_JSON [--node NODE]

OUT_DIR is a tree written by `spark-gen build`, TRUST_JSON `spark-gen trust --format json` for
the same topology (it says which node has which address, for ssh). NODE is the node whose
scripts/swap.sh is run (default: every node that has one).

Nothing in the tree is edited. The script runs unchanged at its node path, in a private
network namespace and a private mount namespace whose /home is a scratch copy of the node's
/home from the tree; the head's launch scripts (scripts/vllm-head-*.sh) run unchanged too.
On PATH first:

  docker  a stand-in that keeps containers as files (per node) and logs every call:
          `rm -f A B` removes them (and, like Docker, fails for one that does not exist),
          `run -d ... --name X ... IMAGE ...` refuses a name in use and a missing --env-file,
          reads the served name (--served-model-name) from the entrypoint the run mounts at
          /opt/spark-gen/entrypoint.sh, and starts X in the mode the check sets: serve (the
          API lists it a second later), die (it exits at once), hang (it runs, never listed),
          restarting (restart back-off: State.Restarting and State.Running true, as moby's
          container/state.go SetRestarting sets them) or crashloop (State.Status running while
          RestartCount grows); a vLLM whose --host/--port a running container holds dies
          (address in use); `inspect -f FORMAT X` fills {{.State.Running}}, {{.State.Status}},
          {{.State.Restarting}}, {{.RestartCount}} and {{.State.ExitCode}}; `logs` prints a
          marker line; `compose -f F restart S` is recorded.
  ssh     a stand-in that logs user@host and the command, and runs the command with bash on
          the node that has that address (from the intent), in a mount namespace of its own
          whose /home is that node's copy: the worker's own scripts run, unchanged, against
          the same stand-in docker. When that node has scripts/ssh-gate-CALLER.sh, the gate
          runs instead with the command in SSH_ORIGINAL_COMMAND, as sshd runs a key whose
          authorized_keys line says command=GATE. An address of no node fails as ssh would
          (exit 255).
  logger  a stand-in that records each line (the gates log what they run and refuse).

The stand-in vLLM API listens on the address and port of the script's url= line (an
interface with that address exists only in the private namespace) and answers GET on its
path with `{"object":"list","data":[{"id":SERVED,...}]}` in compact JSON, as vLLM does, for
every model the head serves.

Checks, in order (the state carries over from one to the next):
  table    the script's case table (container=...; served=...) names, per model, the container
           its launch script starts and the --served-model-name of that script's entrypoint
  start    `swap.sh FIRST` from nothing starts FIRST and exits 0 once the API lists it
  swap     `swap.sh CLUSTER` (a model with workers) while FIRST serves: removes every catalog
           container on the head, then the workers' containers over ssh (as the user and to
           the address of the worker), then runs the worker's script over ssh before the head's
           script, exits 0 once the API lists CLUSTER; FIRST is gone, CLUSTER and its workers run
  again    the same swap again: exit 0, "already serves", and no docker or ssh call at all
  dies     a model whose container exits without serving: non-zero exit naming the failure,
           its logs printed, it removed, and the model that served before serving again
  restarting, crashloop  the same for a container in restart back-off and one that crash-loops
           (both "running" to State.Running), well before the time-out
  lock     a second swap while one runs exits non-zero at once, naming the model and client
           of the swap that holds the lock
  worker   a model with workers whose worker container exits while the head waits: non-zero
           exit well before the time-out, saying a worker is not running
  workers down  with the workers' addresses unreachable: a single-node swap exits 0 without
           any ssh; a swap to a model with workers exits non-zero before anything stops
  usage    `swap.sh nosuch`: exit 2 with the usage, which names every model; nothing touched
  timeout  SWAP_TIMEOUT=3 and a container that runs but is never listed: non-zero exit, saying so
  gates    every scripts/ssh-gate-*.sh: each line it allows is of a known shape (a swap, a
           model's logs or state, a worker's stop or start, a speech service's restart); run as
           sshd runs a forced command, requests outside its
           lines (; && | $( ) backquotes, newline, other models, path tricks, no request) are
           refused, run nothing and are logged; its harmless lines run exactly their command;
           scripts/ssh-authorize.sh installs each holder's key with the gate's options; every
           ssh command of models.yaml is a line of the panel's gate on its node

Every run is bounded (a process group killed at its time-out); the namespace, the stub and
the scratch files are removed also on failure. Prints a line per check and lastly
`swap: N passed, M failed`; exits 1 on a failure, 2 on a usage error. A tree without
scripts/swap.sh gives a `note ... not applicable` line and `swap: 0 passed, 0 failed`.
"""
import argparse
import glob
import http.server
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
import threading
import time
import urllib.parse

HERE = os.path.abspath(__file__)
RUN_TIMEOUT = 150       # one swap.sh run; SWAP_TIMEOUT bounds its wait below that
EARLY_TIMEOUT = 100     # SWAP_TIMEOUT for the runs that must fail early: a failure found only
EARLY = 50              # at the time-out takes over 100 s, one found early less than EARLY
SWAP_TIMEOUT = 30       # what the runs that should succeed give swap.sh
LISTED_AFTER = 1.0      # seconds from `docker run` until a serving model is listed
ENTRYPOINT_TARGET = "/opt/spark-gen/entrypoint.sh"

# docker run's options that take a value (as separate word or --opt=value), and its flags.
RUN_VALUE_OPTIONS = {"--name", "--network", "--net", "--ipc", "--gpus", "--ulimit", "--restart", "-e", "--env",
                     "--env-file", "-v", "--volume", "--device", "--cap-add", "--cap-drop", "--shm-size", "-p",
                     "--publish", "-u", "--user", "-w", "--workdir", "--entrypoint", "--runtime", "--pid",
                     "--label", "-l", "--mount", "--security-opt", "--platform", "--add-host", "--hostname", "-h",
                     "--memory", "-m", "--cpus", "--log-driver", "--log-opt", "--tmpfs", "--group-add"}
RUN_FLAGS = {"-d", "--detach", "--rm", "--init", "--privileged", "-i", "-t", "-it", "--interactive", "--tty"}
SSH_VALUE_OPTIONS = {"-o", "-i", "-p", "-l", "-F", "-J", "-b", "-c", "-E", "-L", "-R", "-D", "-m", "-O", "-Q", "-S", "-W", "-w", "-B"}


# --- the stand-ins (run as subcommands of this file) --------------------------------------

def log_call(state, node, tool, argv, **extra):
    with open(os.path.join(state, "calls.log"), "a") as handle:
        handle.write(json.dumps({"node": node, "tool": tool, "argv": argv, **extra}) + "\n")


def container_path(state, node, name):
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise SystemExit(f"Error response from daemon: invalid container name {name!r}")
    directory = os.path.join(state, "nodes", node)
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, name + ".json")


def fake_docker(state, argv):
    node = os.environ.get("SWAP_CHECK_NODE", "?")
    log_call(state, node, "docker", argv)
    if not argv:
        print("fake docker: no command", file=sys.stderr)
        return 1
    command, rest = argv[0], argv[1:]
    if command == "rm":
        names = [word for word in rest if not word.startswith("-")]
        force = any(word in ("-f", "--force") for word in rest)
        status = 0
        for name in names:
            path = container_path(state, node, name)
            if not os.path.exists(path):
                print(f"Error response from daemon: No such container: {name}", file=sys.stderr)
                status = 1
                continue
            if json.load(open(path))["running"] and not force:
                print(f"Error response from daemon: cannot remove container {name}: container is running", file=sys.stderr)
                status = 1
                continue
            os.remove(path)
            print(name)
        return status
    if command == "run":
        return fake_docker_run(state, node, rest)
    if command == "inspect":
        fmt, names, index = None, [], 0
        while index < len(rest):
            word = rest[index]
            if word in ("-f", "--format"):
                fmt, index = rest[index + 1], index + 2
                continue
            names.append(word)
            index += 1
        fields = re.findall(r"\{\{\s*([^}]*?)\s*\}\}", fmt or "")
        unknown = [field for field in fields if field not in INSPECT_FIELDS]
        if fmt is None or not fields or unknown:
            print(f"fake docker: inspect format {fmt!r} is not modeled", file=sys.stderr)
            return 2
        status = 0
        for name in names:
            path = container_path(state, node, name)
            if not os.path.exists(path):
                print(f"Error: No such object: {name}", file=sys.stderr)
                status = 1
                continue
            values = inspect_values(json.load(open(path)))
            print(re.sub(r"\{\{\s*([^}]*?)\s*\}\}", lambda match: values[match.group(1)], fmt))
        return status
    if command == "compose":
        # `compose -f FILE restart SERVICE`, what the panel's gate runs: recorded, not modeled further.
        if "restart" not in rest:
            print(f"fake docker: compose {' '.join(rest)} is not modeled", file=sys.stderr)
            return 1
        print(f"restarted {rest[-1]}")
        return 0
    if command == "logs":
        name = rest[-1] if rest else ""
        if not name or not os.path.exists(container_path(state, node, name)):
            print(f"Error response from daemon: No such container: {name}", file=sys.stderr)
            return 1
        print(f"swap-check log line of {name}: ValueError: the stand-in model would not load")
        return 0
    print(f"fake docker: '{command}' is not modeled", file=sys.stderr)
    return 1


# What `docker inspect -f` reads, per mode. Docker sets State.Running=true while a container is in
# restart back-off (moby container/state.go, SetRestarting): Status says "restarting", and a
# crash-looping container reads "running" between restarts while RestartCount grows.
INSPECT_FIELDS = {".State.Running", ".State.Status", ".State.Restarting", ".RestartCount", ".State.ExitCode"}


def inspect_values(record):
    mode, elapsed = record.get("mode", "serve"), time.time() - record.get("started", time.time())
    status, restarts, exit_code = "running", 0, 0
    if mode == "die":
        status, exit_code = "exited", 1
    elif mode == "restarting":
        status, restarts, exit_code = "restarting", 1 + int(elapsed / 0.5), 1
    elif mode == "crashloop":
        restarts = int(elapsed / 1.0)
    return {".State.Running": "true" if status in ("running", "restarting") else "false", ".State.Status": status,
            ".State.Restarting": "true" if status == "restarting" else "false", ".RestartCount": str(restarts),
            ".State.ExitCode": str(exit_code)}


def fake_docker_run(state, node, words):
    options, index, image = {}, 0, None
    while index < len(words):
        word = words[index]
        if word.startswith("-"):
            name, equals, value = word.partition("=")
            if name in RUN_VALUE_OPTIONS:
                if not equals:
                    index += 1
                    value = words[index]
                options.setdefault(name, []).append(value)
            elif word not in RUN_FLAGS:
                print(f"unknown flag: {word}", file=sys.stderr)
                return 125
            else:
                options.setdefault(word, []).append(True)
            index += 1
            continue
        image = word
        break
    if image is None:
        print('"docker run" requires at least 1 argument.', file=sys.stderr)
        return 125
    if "-d" not in options and "--detach" not in options:
        print("fake docker: run without -d would block the script", file=sys.stderr)
        return 125
    name = (options.get("--name") or [None])[-1]
    if not name:
        print("fake docker: run without --name", file=sys.stderr)
        return 125
    for env_file in options.get("--env-file", []):
        if not os.path.isfile(env_file):
            print(f"docker: open {env_file}: no such file or directory.", file=sys.stderr)
            return 125
    served = socket_ = None
    for volume in options.get("-v", []) + options.get("--volume", []):
        parts = volume.split(":")
        if len(parts) >= 2 and parts[1] == ENTRYPOINT_TARGET:
            if not os.path.isfile(parts[0]):
                print(f"fake docker: the entrypoint {parts[0]} is not a file on {node}", file=sys.stderr)
                return 125
            text = open(parts[0]).read()
            match = re.search(r"--served-model-name[ =](\S+)", text) or re.search(r"\bvllm serve (\S+)", text)
            served = match.group(1).strip("'\"") if match else None
            serve = text[text.find("vllm serve"):] if "vllm serve" in text else ""   # not ray start's --port
            host = re.search(r"--host[ =](\S+)", serve)
            port = re.search(r"--port[ =](\d+)", serve)
            socket_ = [host.group(1) if host else "0.0.0.0", int(port.group(1)) if port else 8000] if served else None
    path = container_path(state, node, name)
    if os.path.exists(path):
        print(f'docker: Error response from daemon: Conflict. The container name "/{name}" is already in use.', file=sys.stderr)
        return 125
    mode = json.load(open(os.path.join(state, "modes.json"))).get(name, "serve")
    # Host network: a vLLM whose address and port another running container holds exits at once
    # (address already in use), as a catalog model started before the last one stopped would.
    for other in glob.glob(os.path.join(state, "nodes", node, "*.json")):
        record = json.load(open(other))
        if socket_ and record["running"] and record.get("socket") == socket_:
            mode = "die"
    record = {"image": image, "served": served, "socket": socket_, "running": mode != "die", "mode": mode, "started": time.time(),
              "listed_after": time.time() + LISTED_AFTER if mode == "serve" and served else None}
    with open(path, "w") as handle:
        json.dump(record, handle)
    print(secrets.token_hex(32))
    return 0


def fake_ssh(state, argv):
    node = os.environ.get("SWAP_CHECK_NODE", "?")
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        index += 2 if argv[index] in SSH_VALUE_OPTIONS else 1
    if index >= len(argv):
        print("usage: ssh destination [command]", file=sys.stderr)
        return 255
    destination, remote = argv[index], " ".join(argv[index + 1:])
    user, _, host = destination.rpartition("@")
    targets = json.load(open(os.path.join(state, "ssh-targets.json")))
    log_call(state, node, "ssh", argv, user=user, host=host, command=remote, to=targets.get(host, {}).get("node"))
    if host not in targets:
        print(f"ssh: connect to host {host} port 22: No route to host", file=sys.stderr)
        return 255
    if not remote:
        print("swap-check: an interactive ssh session is not modeled", file=sys.stderr)
        return 255
    target = targets[host]
    # As sshd does: the remote user's shell runs the command line, in that user's home; or, when
    # the target has a gate for the caller's key (authorized_keys: restrict,command=GATE), the
    # gate runs instead with the line in SSH_ORIGINAL_COMMAND, as the runbooks install the key.
    gate = f"{target['stack_dir']}/scripts/ssh-gate-{node}.sh"
    gated = os.path.isfile(os.path.join(target["home"], os.path.relpath(gate, "/home")))
    run = f"exec {shlex.quote(gate)}" if gated else "exec bash -c \"$1\""
    script = (f"mount --make-rprivate / && mount --bind {shlex.quote(target['home'])} /home && "
              f"cd /home/{shlex.quote(user or 'root')} 2>/dev/null; {run}")
    environment = dict(os.environ, SWAP_CHECK_NODE=target["node"])
    if gated:
        # HOME as sshd sets it: bash reads ~/.bashrc when SSH_CLIENT says sshd started it.
        environment.update(SSH_ORIGINAL_COMMAND=remote, SSH_CLIENT=f"{node} 50000 22", HOME=f"/home/{user or 'root'}")
        log_call(state, node, "gate", [gate], command=remote, to=target["node"])
    return subprocess.run(["unshare", "--mount", "bash", "-c", script, "ssh", remote], env=environment).returncode


def stub(state, node, bind, port, path):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with open(os.path.join(state, "stub.log"), "a") as handle:
                handle.write(self.path + "\n")
            if self.path != path:
                self.send_error(404)
                return
            now, data = time.time(), []
            for record_path in sorted(glob.glob(os.path.join(state, "nodes", node, "*.json"))):
                record = json.load(open(record_path))
                if record["running"] and record["listed_after"] is not None and record["listed_after"] <= now:
                    data.append({"id": record["served"], "object": "model", "created": int(now), "owned_by": "vllm",
                                 "root": record["image"], "parent": None})
            body = json.dumps({"object": "list", "data": data}, separators=(",", ":")).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((bind, port), Handler)
    print("ready", flush=True)
    server.serve_forever()


# --- the harness ------------------------------------------------------------------------

def read_swap(path):
    """What the harness needs from swap.sh: its stack_dir, url and case table, in order."""
    text = open(path).read()
    stack_dir = re.search(r"^stack_dir=(\S+)$", text, re.M)
    url = re.search(r"^url=(\S+)$", text, re.M)
    table = re.findall(r"^\s*([A-Za-z0-9][\w.\-]*)\) container=(\S+); served=(\S+) ;;$", text, re.M)
    if not (stack_dir and url and table):
        raise ValueError("no stack_dir=, url= or case table (MODEL) container=...; served=... ;;) in swap.sh")
    url = urllib.parse.urlsplit(url.group(1))
    # The launch branch of each model: the lines between `MODEL)` and `;;` after the case table.
    launches = {}
    for model, body in re.findall(r"^  ([A-Za-z0-9][\w.\-]*)\)\n(.*?)^    ;;$", text, re.M | re.S):
        launches[model] = body
    return {"stack_dir": stack_dir.group(1), "host": url.hostname, "port": url.port or 80, "path": url.path,
            "models": [(model, container, served) for model, container, served in table], "launches": launches,
            "text": text}


class FailFast(Exception):
    """--fail-fast: a check failed; the checks after it are skipped (the cleanup still runs)."""


class Results:
    def __init__(self, fail_fast=False):
        self.passed = self.failed = 0
        self.fail_fast = fail_fast

    def check(self, label, problems, detail=""):
        if problems:
            self.failed += 1
            print(f"FAIL  {label}")
            for problem in problems:
                print(f"      {problem}")
            if detail:
                print("      " + detail.strip().replace("\n", "\n      "))
            if self.fail_fast:
                raise FailFast()
        else:
            self.passed += 1
            print(f"ok    {label}")


class Harness:
    def __init__(self, tree, intent, node, swap):
        self.tree, self.intent, self.node, self.swap_info = tree, intent, node, swap
        self.nodes = {entry["name"]: entry for entry in intent["nodes"]}
        self.scratch = tempfile.mkdtemp(prefix="spark-gen-swap-")
        self.state = os.path.join(self.scratch, "state")
        self.bin = os.path.join(self.scratch, "bin")
        self.namespace = None
        self.stub = None
        self.notes = []
        os.makedirs(os.path.join(self.state, "nodes"))
        os.makedirs(self.bin)
        self.set_modes({})
        self.homes = {}
        targets = {}
        for name, entry in self.nodes.items():
            source = os.path.join(tree, "nodes", name, "home")
            home = os.path.join(self.scratch, "homes", name)
            if os.path.isdir(source):
                shutil.copytree(source, home, symlinks=True)
            else:
                os.makedirs(home)
            self.homes[name] = home
            for interface in entry["interfaces"]:
                targets[interface["ip"]] = {"node": name, "home": home, "stack_dir": entry["stack_dir"]}
            self.stand_in_env_files(name)
        with open(os.path.join(self.state, "ssh-targets.json"), "w") as handle:
            json.dump(targets, handle)
        for tool in ("docker", "ssh"):
            wrapper = os.path.join(self.bin, tool)
            with open(wrapper, "w") as handle:
                handle.write(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(HERE)} fake-{tool} "
                             f"{shlex.quote(self.state)} \"$@\"\n")
            os.chmod(wrapper, 0o755)
        # logger: a line per call (node, then its arguments) in logger.log; a shell stand-in, as the
        # gate checks call it hundreds of times.
        wrapper = os.path.join(self.bin, "logger")
        with open(wrapper, "w") as handle:
            handle.write(f"#!/bin/sh\nprintf '%s\\t%s\\n' \"$SWAP_CHECK_NODE\" \"$*\" >> {shlex.quote(os.path.join(self.state, 'logger.log'))}\n")
        os.chmod(wrapper, 0o755)

    def stand_in_env_files(self, node):
        """The secret files the node's scripts pass to `docker run --env-file` exist only on the
        node (its RUNBOOK makes them): stand-ins, as the compose check makes for env_file."""
        home = self.homes[node]
        for script in glob.glob(os.path.join(home, "**", "scripts", "*.sh"), recursive=True):
            for path in re.findall(r"--env-file[ =](/home/\S+)", open(script).read()):
                stand_in = os.path.join(home, os.path.relpath(path.strip("'\""), "/home"))
                if not os.path.exists(stand_in):
                    os.makedirs(os.path.dirname(stand_in), exist_ok=True)
                    with open(stand_in, "w") as handle:
                        handle.write("SWAP_CHECK_STAND_IN=1\n")
                    self.notes.append(f"stand-in {path} on {node}")

    def set_modes(self, modes):
        with open(os.path.join(self.state, "modes.json"), "w") as handle:
            json.dump(modes, handle)

    def start(self):
        self.namespace = "sgs-" + secrets.token_hex(4)
        run(["ip", "netns", "add", self.namespace])
        run(["ip", "netns", "exec", self.namespace, "ip", "link", "set", "lo", "up"])
        # The head's interface: one end of a veth pair whose other end stays in the namespace too.
        run(["ip", "netns", "exec", self.namespace, "ip", "link", "add", "head0", "type", "veth", "peer", "name", "head0p"])
        run(["ip", "netns", "exec", self.namespace, "ip", "addr", "add", f"{self.swap_info['host']}/32", "dev", "head0"])
        run(["ip", "netns", "exec", self.namespace, "ip", "link", "set", "head0p", "up"])
        run(["ip", "netns", "exec", self.namespace, "ip", "link", "set", "head0", "up"])
        self.stub = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace, sys.executable, HERE, "stub", self.state, self.node,
             self.swap_info["host"], str(self.swap_info["port"]), self.swap_info["path"]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        ready = []
        reader = threading.Thread(target=lambda: ready.append(self.stub.stdout.readline().strip()), daemon=True)
        reader.start()
        reader.join(15)
        if ready != ["ready"]:
            raise RuntimeError(f"the stand-in vLLM API did not start: {self.stub.stderr.read() if self.stub.poll() is not None else 'no answer'}")

    def calls(self):
        path = os.path.join(self.state, "calls.log")
        return [json.loads(line) for line in open(path)] if os.path.exists(path) else []

    def logged(self):
        """logger's lines so far: (node, its arguments joined)."""
        path = os.path.join(self.state, "logger.log")
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in open(path)] if os.path.exists(path) else []

    def containers(self, node):
        return {os.path.basename(path)[:-5]: json.load(open(path))
                for path in glob.glob(os.path.join(self.state, "nodes", node, "*.json"))}

    def swap(self, *arguments, environment=None):
        """swap.sh ARGUMENTS at its node path; (exit code, stdout, stderr, seconds, calls made)."""
        return self.finish(self.begin(*arguments, environment=environment))

    def begin(self, *arguments, environment=None):
        """swap.sh ARGUMENTS started, not waited for: finish() waits."""
        before = len(self.calls())
        script_path = self.swap_info["stack_dir"] + "/scripts/swap.sh"
        script = (f"mount --make-rprivate / && mount --bind {shlex.quote(self.homes[self.node])} /home && "
                  f"cd / && exec {shlex.quote(script_path)} \"$@\"")
        env = dict(os.environ, PATH=f"{self.bin}:{os.environ.get('PATH', '/usr/bin:/bin')}", SWAP_CHECK_NODE=self.node)
        env.pop("SWAP_TIMEOUT", None)
        env.pop("SSH_CLIENT", None)
        env.update(environment or {})
        started = time.monotonic()
        process = subprocess.Popen(["ip", "netns", "exec", self.namespace, "unshare", "--mount", "bash", "-c", script, "swap.sh",
                                    *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                   start_new_session=True)
        return process, before, started

    def finish(self, begun):
        process, before, started = begun
        try:
            out, err = process.communicate(timeout=RUN_TIMEOUT)
            code = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            code, err = None, err + f"\n(killed after {RUN_TIMEOUT} s)"
        return code, out, err, time.monotonic() - started, self.calls()[before:]

    def node_file(self, node, path):
        """Where a node's absolute /home path is in the scratch copy."""
        return os.path.join(self.homes[node], os.path.relpath(path, "/home"))

    def set_unreachable(self, nodes):
        """ssh to the addresses of these nodes fails as to a host that is down (exit 255)."""
        path = os.path.join(self.state, "ssh-targets.json")
        if not hasattr(self, "all_targets"):
            self.all_targets = json.load(open(path))
        with open(path, "w") as handle:
            json.dump({ip: target for ip, target in self.all_targets.items() if target["node"] not in nodes}, handle)

    def cleanup(self):
        if self.stub is not None and self.stub.poll() is None:
            os.killpg(self.stub.pid, signal.SIGKILL)
            self.stub.wait(timeout=10)
        if self.namespace:
            run(["ip", "netns", "del", self.namespace], check=False)
        shutil.rmtree(self.scratch, ignore_errors=True)


def run(command, check=True):
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return result


def transcript(code, out, err, seconds, calls):
    lines = [f"exit {code} after {seconds:.1f} s", "stdout: " + out.strip(), "stderr: " + err.strip()]
    lines += [f"call: {call['node']}: {call['tool']} {' '.join(call['argv'])}" for call in calls]
    return "\n".join(lines)


def docker_calls(calls, node, verb):
    return [(index, call) for index, call in enumerate(calls)
            if call["tool"] == "docker" and call["node"] == node and call["argv"][:1] == [verb]]


def run_name(call):
    argv = call["argv"]
    for index, word in enumerate(argv):
        if word == "--name" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--name="):
            return word.split("=", 1)[1]
    return None


def check_node(tree, intent, node, results):
    path = os.path.join(tree, "nodes", node, intent_stack_dir(intent, node).lstrip("/"), "scripts", "swap.sh")
    label = f"{node}: "
    try:
        swap = read_swap(path)
    except (OSError, ValueError) as error:
        results.check(label + "swap.sh readable", [str(error)])
        return
    scripts = os.path.join(os.path.dirname(path))
    models = swap["models"]
    containers = [container for _, container, _ in models]

    # table: the case table against the launch scripts and their entrypoints.
    problems = []
    for model, container, served in models:
        launch = os.path.join(scripts, f"vllm-head-{model}.sh")
        entrypoint = os.path.join(scripts, f"vllm-head-{model}-entrypoint.sh")
        if f'"$stack_dir/scripts/vllm-head-{model}.sh"' not in swap["launches"].get(model, ""):
            problems.append(f"{model}: its launch branch does not run scripts/vllm-head-{model}.sh")
        if not os.path.isfile(launch) or not os.path.isfile(entrypoint):
            problems.append(f"{model}: no scripts/vllm-head-{model}.sh or its entrypoint")
            continue
        started = re.search(r"^container=(\S+)$", open(launch).read(), re.M)
        if not started or started.group(1) != container:
            problems.append(f"{model}: the table says container {container}, its launch script starts {started and started.group(1)}")
        named = re.search(r"--served-model-name[ =](\S+)", open(entrypoint).read())
        if not named or named.group(1) != served:
            problems.append(f"{model}: the table says served {served}, its entrypoint serves {named and named.group(1)}")
    results.check(label + f"table: {len(models)} models, each its launch script's container and its entrypoint's served name", problems)

    # Models with workers: their launch branch runs a script over ssh.
    cluster = [(m, c, s) for m, c, s in models if re.search(r"^\s*ssh .* \S+@\S+ \S+", swap["launches"].get(m, ""), re.M)]
    solo = [(m, c, s) for m, c, s in models if (m, c, s) not in cluster]
    workers = {}   # worker node -> its catalog containers (container= of its vllm-worker*.sh)
    for other in intent["nodes"]:
        if other["name"] == node:
            continue
        for script in sorted(glob.glob(os.path.join(tree, "nodes", other["name"], other["stack_dir"].lstrip("/"), "scripts", "vllm-worker*.sh"))):
            if script.endswith("-entrypoint.sh"):
                continue
            match = re.search(r"^container=(\S+)$", open(script).read(), re.M)
            if match:
                workers.setdefault(other["name"], []).append(match.group(1))
    addresses = {interface["ip"]: entry["name"] for entry in intent["nodes"] for interface in entry["interfaces"]}
    owner = os.path.basename(os.path.dirname(intent_stack_dir(intent, node)))

    harness = Harness(tree, intent, node, swap)
    try:
        harness.start()
        for note in harness.notes:
            print(f"note  {label}{note}")
        first = solo[0] if solo else models[0]

        # start: from nothing.
        code, out, err, seconds, calls = result = harness.swap(first[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
        problems = []
        if code != 0:
            problems.append(f"exit {code}, want 0")
        if not harness.containers(node).get(first[1], {}).get("running"):
            problems.append(f"{first[1]} does not run")
        results.check(label + f"start: swap.sh {first[0]} from nothing starts {first[1]} and exits 0 once listed", problems,
                      transcript(*result) if problems else "")

        # swap: to a model with workers (or another solo model when the catalog has none).
        target = cluster[0] if cluster else (solo[1] if len(solo) > 1 else None)
        if target is not None:
            code, out, err, seconds, calls = result = harness.swap(target[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
            problems = []
            if code != 0:
                problems.append(f"exit {code}, want 0")
            if f"serves as {target[2]}" not in out:
                problems.append(f"stdout does not say it serves as {target[2]}")
            removals = [index for index, call in docker_calls(calls, node, "rm")
                        if set(containers) <= set(word for word in call["argv"][1:] if not word.startswith("-"))]
            if not removals:
                problems.append(f"no `docker rm -f` of every catalog container ({' '.join(containers)}) on {node}")
            stop_at = removals[0] if removals else None
            head_runs = [index for index, call in docker_calls(calls, node, "run") if run_name(call) == target[1]]
            if len(head_runs) != 1:
                problems.append(f"{len(head_runs)} `docker run` of {target[1]} on {node}, want 1")
            for worker, names in (workers.items() if cluster else []):
                ssh_calls = [(index, call) for index, call in enumerate(calls) if call["tool"] == "ssh" and call["to"] == worker]
                wrong_user = [call for _, call in ssh_calls if call["user"] != owner]
                if wrong_user:
                    problems.append(f"ssh to {worker} as {wrong_user[0]['user']!r}, want {owner!r}")
                stops = [index for index, call in docker_calls(calls, worker, "rm")
                         if set(names) <= set(word for word in call["argv"][1:] if not word.startswith("-"))]
                starts = [index for index, call in docker_calls(calls, worker, "run") if run_name(call) in names]
                if not ssh_calls:
                    problems.append(f"no ssh to {worker}")
                if not stops:
                    problems.append(f"no `docker rm -f {' '.join(names)}` on {worker} (over ssh)")
                if not starts:
                    problems.append(f"no `docker run` of {' '.join(names)} on {worker} (over ssh)")
                if stops and stop_at is not None and stops[0] < stop_at:
                    problems.append(f"{worker}'s containers were removed before the head's")
                if stops and starts and not stops[0] < starts[0]:
                    problems.append(f"{worker}'s container started before the catalog was stopped there")
                if starts and head_runs and not starts[-1] < head_runs[0]:
                    problems.append(f"the head's {target[1]} started before {worker}'s worker")
                if stops and starts:
                    # The ssh calls that made them: the worker's own calls follow the ssh that ran them.
                    rm_ssh = max((index for index, _ in ssh_calls if index < stops[0]), default=None)
                    run_ssh = max((index for index, _ in ssh_calls if index < starts[0]), default=None)
                    if rm_ssh is None or run_ssh is None or rm_ssh == run_ssh:
                        problems.append(f"{worker}: the stop and the worker's script did not come from separate ssh calls")
                    elif not re.search(r"(^|/)vllm-worker[^/ ]*\.sh$", calls[run_ssh]["command"].split()[0] if calls[run_ssh]["command"] else ""):
                        problems.append(f"{worker}: the ssh that started the worker ran {calls[run_ssh]['command']!r}, not its vllm-worker script")
                for name in names:
                    if not harness.containers(worker).get(name, {}).get("running"):
                        problems.append(f"{name} does not run on {worker} afterwards")
            for _, call in [(i, c) for i, c in enumerate(calls) if c["tool"] == "ssh"]:
                if call["to"] is None or addresses.get(call["host"]) != call["to"]:
                    problems.append(f"ssh to {call['host']}, the address of no node")
            state = harness.containers(node)
            if first[1] in state:
                problems.append(f"{first[1]} is still there afterwards")
            if not state.get(target[1], {}).get("running"):
                problems.append(f"{target[1]} does not run afterwards")
            kind = f"its workers' ({', '.join(f'{n}@{w}' for w, ns in workers.items() for n in ns)}) over ssh as {owner}, then the worker script over ssh before the head's" if cluster else "then starts it"
            results.check(label + f"swap: swap.sh {target[0]} while {first[0]} serves stops every catalog container on {node}, {kind}, exits 0 once listed",
                          problems, transcript(*result) if problems else "")

            # again: nothing to do.
            code, out, err, seconds, calls = result = harness.swap(target[0])
            problems = []
            if code != 0:
                problems.append(f"exit {code}, want 0")
            if "already serves" not in out:
                problems.append("stdout does not say it already serves")
            if calls:
                problems.append(f"{len(calls)} docker/ssh call(s), want none")
            results.check(label + f"again: swap.sh {target[0]} again exits 0, stopping and starting nothing", problems,
                          transcript(*result) if problems else "")

        # dies: a container that exits without serving; the model that served before comes back.
        serving = target if target is not None else first
        dying = next((m for m in reversed(solo) if m != serving), models[-1])
        harness.set_modes({dying[1]: "die"})
        code, out, err, seconds, calls = result = harness.swap(dying[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
        problems = failed_start(harness, node, code, err, calls, dying, serving)
        if "(docker: exited" not in err:
            problems.append("stderr does not say docker reports it exited")
        results.check(label + f"dies: swap.sh {dying[0]} whose container exits unserved exits non-zero with its logs, "
                      f"and {serving[0]}, which served before, serves again", problems, transcript(*result) if problems else "")

        # restarting, crash loop: Docker says State.Running=true for both; the swap stops early all the same.
        harness.set_modes({})
        code, out, err, seconds, calls = result = harness.swap(first[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
        if code != 0:
            results.check(label + f"back to {first[0]}", [f"exit {code}, want 0"], transcript(*result))
        failing = next((m for m in reversed(solo) if m != first), None)
        for mode, says in (("restarting", "(docker: restarting"), ("crashloop", "(docker: running ")):
            if failing is None:
                break
            harness.set_modes({failing[1]: mode})
            code, out, err, seconds, calls = result = harness.swap(failing[0], environment={"SWAP_TIMEOUT": str(EARLY_TIMEOUT)})
            problems = failed_start(harness, node, code, err, calls, failing, first)
            if seconds > EARLY:
                problems.append(f"took {seconds:.1f} s, want at most {EARLY} (State.Running=true kept it waiting)")
            if says not in err:
                problems.append(f"stderr does not say docker reports {says.strip('( ')}")
            what = "in restart back-off (Restarting, Running=true)" if mode == "restarting" else "crash-looping (running, RestartCount growing)"
            results.check(label + f"{mode}: swap.sh {failing[0]} whose container is {what} fails in {seconds:.1f} s with its logs, "
                          f"and {first[0]} serves again", problems, transcript(*result) if problems else "")

        # lock: a second swap while one runs exits non-zero at once, saying who holds the lock.
        if failing is not None:
            harness.set_modes({failing[1]: "hang"})
            lock = harness.node_file(node, swap["stack_dir"] + "/swap.lock")
            if os.path.exists(lock):
                os.remove(lock)   # an earlier swap's line would satisfy the wait below
            begun = harness.begin(failing[0], environment={"SWAP_TIMEOUT": "6", "SSH_CLIENT": "192.0.2.7 40000 22"})
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and f"swap to {failing[0]}" not in (open(lock).read() if os.path.exists(lock) else ""):
                time.sleep(0.1)
            code, out, err, seconds, calls = result = harness.swap(first[0])
            first_result = harness.finish(begun)
            problems = []
            if code in (0, None):
                problems.append(f"the second swap: exit {code}, want non-zero")
            if f"swap to {failing[0]}" not in err or "192.0.2.7" not in err:
                problems.append("the second swap does not say which swap (model, from where) holds the lock")
            if seconds > 10:
                problems.append(f"the second swap took {seconds:.1f} s: it waited instead of refusing")
            if first_result[0] in (0, None):
                problems.append(f"the first swap (to a model never listed): exit {first_result[0]}, want non-zero")
            if not harness.containers(node).get(first[1], {}).get("running"):
                problems.append(f"{first[1]} does not run afterwards")
            results.check(label + f"lock: swap.sh {first[0]} while a swap to {failing[0]} runs exits non-zero at once, naming the holder",
                          problems, transcript(*result) + "\nfirst swap:\n" + transcript(*first_result) if problems else "")

        # worker dies: a model with workers whose worker exits while the head waits for its GPU.
        if cluster and workers:
            worker_containers = [name for names in workers.values() for name in names]
            harness.set_modes({cluster[0][1]: "hang", **{name: "die" for name in worker_containers}})
            code, out, err, seconds, calls = result = harness.swap(cluster[0][0], environment={"SWAP_TIMEOUT": str(EARLY_TIMEOUT)})
            problems = []
            if code in (0, None):
                problems.append(f"exit {code}, want non-zero")
            if seconds > EARLY:
                problems.append(f"took {seconds:.1f} s, want at most {EARLY} (it waited for the time-out instead)")
            if "a worker of" not in err:
                problems.append("stderr does not say a worker is not running")
            if not harness.containers(node).get(first[1], {}).get("running"):
                problems.append(f"{first[1]}, which served before, does not run afterwards")
            results.check(label + f"worker dies: swap.sh {cluster[0][0]} whose worker exits fails in {seconds:.1f} s, not at the time-out", problems,
                          transcript(*result) if problems else "")

            # workers down: a single-node swap asks no worker; a swap that needs one stops nothing.
            harness.set_modes({})
            other = next((m for m in solo if m != first), None)
            harness.set_unreachable(list(workers))
            try:
                if other is not None:
                    code, out, err, seconds, calls = result = harness.swap(other[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
                    problems = []
                    if code != 0:
                        problems.append(f"exit {code}, want 0")
                    asked = [call for call in calls if call["tool"] == "ssh"]
                    if asked:
                        problems.append(f"{len(asked)} ssh call(s) for a single-node model, want none: {asked[0]['command']!r}")
                    results.check(label + f"workers down: swap.sh {other[0]} (one node) with {', '.join(workers)} unreachable exits 0 "
                                  "and asks no worker", problems, transcript(*result) if problems else "")
                    serving = other
                else:
                    serving = first
                code, out, err, seconds, calls = result = harness.swap(cluster[0][0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
                problems = []
                if code in (0, None):
                    problems.append(f"exit {code}, want non-zero")
                if "does not answer" not in err:
                    problems.append("stderr does not say the worker does not answer")
                if docker_calls(calls, node, "rm") or docker_calls(calls, node, "run"):
                    problems.append("it stopped or started a container although it could not start the model")
                if not harness.containers(node).get(serving[1], {}).get("running"):
                    problems.append(f"{serving[1]} does not run afterwards")
                results.check(label + f"workers down: swap.sh {cluster[0][0]} with {', '.join(workers)} unreachable exits non-zero "
                              f"before anything stops; {serving[0]} keeps serving", problems, transcript(*result) if problems else "")
            finally:
                harness.set_unreachable([])

        # usage: an unknown model.
        code, out, err, seconds, calls = result = harness.swap("nosuch")
        problems = []
        if code != 2:
            problems.append(f"exit {code}, want 2")
        usage = next((line for line in err.splitlines() if line.startswith("usage:")), "")
        if not usage:
            problems.append("no usage on stderr")
        missing = [model for model, _, _ in models if not re.search(rf"[ (]{re.escape(model)}[ )]", usage)]
        if usage and missing:
            problems.append(f"the usage does not name {', '.join(missing)}")
        if calls:
            problems.append(f"{len(calls)} docker/ssh call(s), want none")
        results.check(label + "usage: swap.sh nosuch exits 2 with the usage naming every model, touching nothing", problems,
                      transcript(*result) if problems else "")

        # timeout: runs, never listed.
        hanging = solo[-2] if len(solo) > 1 else dying
        harness.set_modes({hanging[1]: "hang"})
        code, out, err, seconds, calls = result = harness.swap(hanging[0], environment={"SWAP_TIMEOUT": "3"})
        problems = []
        if code in (0, None):
            problems.append(f"exit {code}, want non-zero")
        if seconds > 40:
            problems.append(f"took {seconds:.1f} s, want at most 40")
        if "did not answer within 3s" not in err:
            problems.append("stderr does not say it did not answer in time")
        results.check(label + f"timeout: SWAP_TIMEOUT=3, {hanging[0]} runs but is never listed: non-zero exit in {seconds:.1f} s", problems,
                      transcript(*result) if problems else "")
        check_gates(tree, intent, harness, results)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        results.check(label + "harness", [str(error)])
    finally:
        harness.cleanup()


def gate_lines(path):
    """The requests a gate allows: its case patterns, each one shell word (a literal line)."""
    lines = []
    for pattern in re.findall(r"^  (.+?)\)   # ", open(path).read(), re.M):
        words = shlex.split(pattern)
        if len(words) != 1:
            raise ValueError(f"{path}: the pattern {pattern!r} is not one literal word")
        lines.append(words[0])
    return lines


def run_gate(harness, node, gate, request, sentinel):
    """The gate as sshd runs it for a key with command=GATE: (exit, stderr, calls made, lines logged)."""
    before, logged = len(harness.calls()), len(harness.logged())
    script = (f"mount --make-rprivate / && mount --bind {shlex.quote(harness.homes[node])} /home && "
              f"cd / && exec {shlex.quote(gate)}")
    env = {"PATH": f"{harness.bin}:/usr/bin:/bin", "SWAP_CHECK_NODE": node, "SSH_ORIGINAL_COMMAND": request,
           "SSH_CLIENT": "192.0.2.9 40000 22", "HOME": os.path.dirname(sentinel)}
    if request is None:
        env.pop("SSH_ORIGINAL_COMMAND")
    try:
        result = subprocess.run(["unshare", "--mount", "bash", "-c", script], capture_output=True, text=True, env=env,
                                timeout=30, cwd=os.path.dirname(sentinel), stdin=subprocess.DEVNULL)
        code, err = result.returncode, result.stderr
    except subprocess.TimeoutExpired as error:
        code, err = None, f"did not return within 30 s: {error.stderr or ''}"
    return code, err, harness.calls()[before:], harness.logged()[logged:]


def check_gates(tree, intent, harness, results):
    """Every scripts/ssh-gate-*.sh of the tree, as sshd runs it for a key whose authorized_keys
    line says command=GATE: requests that must be refused (shell syntax, other models, path
    tricks, no request at all) run nothing and are logged as refused; the requests it allows
    that change nothing run the one command they name; every command models.yaml gives the
    panel is one it allows."""
    sentinel = os.path.join(harness.scratch, "pwned")
    touch = f"touch {sentinel}"
    for entry in intent["nodes"]:
        node = entry["name"]
        for path in sorted(glob.glob(os.path.join(tree, "nodes", node, entry["stack_dir"].lstrip("/"), "scripts", "ssh-gate-*.sh"))):
            gate = entry["stack_dir"] + "/scripts/" + os.path.basename(path)
            label = f"{node}: gate {os.path.basename(path)}: "
            try:
                allowed = gate_lines(path)
            except ValueError as error:
                results.check(label + "patterns", [str(error)])
                continue
            # What a gate may allow at all: the panel's and swap.sh's commands, nothing that opens a
            # shell, runs an image or reads files.
            shapes = [r"true", r"/home/\S+/scripts/swap\.sh [\w.-]+", r"/home/\S+/scripts/vllm-worker[\w.-]*\.sh",
                      r"docker logs --tail \d+ vllm-[\w.-]+", r"docker rm -f vllm-[\w.-]+-worker",
                      r"docker inspect -f '\{\{\.State\.Status\}\} \{\{\.RestartCount\}\}' vllm-[\w.-]+",
                      r"docker compose -f /home/\S+/compose\.yaml restart (parakeet|magpie)"]
            loose = [line for line in allowed if not any(re.fullmatch(shape, line) for shape in shapes)]
            results.check(label + f"its {len(allowed)} lines are each a swap, a model's logs or state, a worker's stop or start, "
                          "or a speech service's restart", [f"{line!r} is none of those" for line in loose])
            hostile = [None, "", "bash", "bash -i", "sh -c 'id'", touch, f"$({touch})", f"exec {touch}",
                       f"docker run --rm -v /:/host alpine {touch}", "docker exec -it vllm-x sh", "docker compose down",
                       "scp -t /tmp", "rsync --server -e.LsfxC . /tmp", "internal-sftp"]
            # Each kind of line (its first two words) once: the variants are about the line's shape.
            kinds = {}
            for line in allowed:
                kinds.setdefault(tuple(line.split(" ")[:2]), line)
            for line in kinds.values():
                words = line.split(" ")
                hostile += [f"{line}; {touch}", f"{line} && {touch}", f"{line} || {touch}", f"{line} | {touch}",
                            f"{line}\n{touch}", f"{line}\n", f"{line} $({touch})", f"{line} `{touch}`", f"{line} > {sentinel}",
                            f" {line}", f"{line} ", f"{line}\t", line.upper(), f"{line} extra"]
                if len(words) > 1:
                    hostile += [" ".join(words[:-1] + ["nosuch"]), " ".join(words[:-1] + ["../" + words[-1]]),
                                " ".join(words[:-1] + [words[-1] + ";" + touch]), " ".join(words[:-1])]
                if words[0].startswith("/"):
                    head, tail = os.path.split(words[0])
                    hostile += [" ".join([f"{head}/../{os.path.basename(head)}/{tail}"] + words[1:]),
                                " ".join([os.path.relpath(words[0], "/home/x")] + words[1:]),
                                " ".join([f"/tmp/{tail}"] + words[1:])]
            hostile = [request for request in dict.fromkeys(hostile) if request not in allowed]
            problems = []
            for request in hostile:
                code, err, calls, lines = run_gate(harness, node, gate, request, sentinel)
                ran = [call for call in calls if call["tool"] in ("docker", "ssh")]
                logged = [text for _, text in lines if " refused: " in text]
                if code == 0 or "refused" not in err or ran or os.path.exists(sentinel) or not logged:
                    problems.append(f"{request!r}: exit {code}, {len(ran)} docker/ssh call(s), "
                                    f"{'sentinel made, ' if os.path.exists(sentinel) else ''}{'logged' if logged else 'not logged'}: {err.strip()[:120]}")
                if os.path.exists(sentinel):
                    os.remove(sentinel)
            results.check(label + f"{len(hostile)} requests outside its {len(allowed)} lines (; && | $( ) ` newline, other models, "
                          "path tricks, none) are refused, run nothing and are logged", problems)

            # The allowed requests that change nothing: each runs exactly its command.
            problems, tried = [], 0
            for line in allowed:
                argv = shlex.split(line)
                if argv[:1] != ["true"] and argv[:2] not in (["docker", "logs"], ["docker", "inspect"]) and argv[2:3] != ["compose"] \
                        and argv[:2] != ["docker", "compose"]:
                    continue
                tried += 1
                code, err, calls, lines = run_gate(harness, node, gate, line, sentinel)
                ran = [call["argv"] for call in calls if call["tool"] == "docker"]
                logged = [text for _, text in lines if " ran: " in text]
                want = [argv[1:]] if argv[0] == "docker" else []
                if "refused" in err or ran != want or not logged:
                    problems.append(f"{line!r}: exit {code}, ran {ran}, want {want}, {'logged' if logged else 'not logged'}: {err.strip()[:120]}")
            results.check(label + f"{tried} allowed requests that change nothing run exactly their command and are logged", problems)

    # ssh-authorize.sh: installs a holder's key with its gate's options, replacing an ungated line.
    for entry in intent["nodes"]:
        node = entry["name"]
        stack = os.path.join(tree, "nodes", node, entry["stack_dir"].lstrip("/"))
        script = os.path.join(stack, "scripts", "ssh-authorize.sh")
        if not os.path.isfile(script):
            continue
        problems = []
        home = tempfile.mkdtemp(prefix="authorize-", dir=harness.scratch)
        key = os.path.join(home, "key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "holder@test", "-f", key], check=True, timeout=30)
        public = open(key + ".pub").read()
        blob = public.split()[1]
        keys = os.path.join(home, ".ssh", "authorized_keys")
        for path in sorted(glob.glob(os.path.join(stack, "scripts", "ssh-gate-*.sh"))):
            holder = os.path.basename(path)[len("ssh-gate-"):-len(".sh")]
            options = re.search(r"^#   (\S+) KEY$", open(path).read(), re.M)
            if not options:
                problems.append(f"{os.path.basename(path)}: its header does not state its authorized_keys options")
                continue
            os.makedirs(os.path.dirname(keys), exist_ok=True)
            with open(keys, "w") as handle:
                handle.write(f"ssh-ed25519 {blob} an-earlier-ungated-line\nssh-ed25519 AAAAotherkey keep-me\n")

            def authorize(*arguments, stdin=public):
                return subprocess.run(["bash", script, *arguments], input=stdin, capture_output=True, text=True, timeout=30,
                                      env={"PATH": "/usr/bin:/bin", "HOME": home})
            for attempt in (1, 2):
                result = authorize(holder)
                lines = open(keys).read().splitlines()
                with_key = [line for line in lines if blob in line]
                if result.returncode != 0:
                    problems.append(f"{holder} (run {attempt}): exit {result.returncode}: {result.stderr.strip()}")
                if with_key != [f"{options.group(1)} ssh-ed25519 {blob} spark-gen:{holder}"]:
                    problems.append(f"{holder} (run {attempt}): the key's lines are {with_key}, want one with {options.group(1)}")
                if "ssh-ed25519 AAAAotherkey keep-me" not in lines:
                    problems.append(f"{holder} (run {attempt}): another key's line was lost")
                if os.stat(keys).st_mode & 0o077:
                    problems.append(f"{holder}: authorized_keys is mode {oct(os.stat(keys).st_mode & 0o777)}")
            before = open(keys).read()
            for arguments, stdin, want in ((["nosuch"], public, 2), ([holder], f'command="/bin/sh" {public}', 1),
                                           ([holder], "", 1), ([holder], f"ssh-ed25519 {blob[:20]};id x\n", 1)):
                result = authorize(*arguments, stdin=stdin)
                if result.returncode != want or open(keys).read() != before:
                    problems.append(f"{arguments} with {stdin[:30]!r}: exit {result.returncode}, want {want}, file unchanged")
        results.check(f"{node}: ssh-authorize.sh installs each holder's key with its gate's options, replacing an ungated line, "
                      "keeping others, refusing keys with options of their own", problems)

    # models.yaml: every command it gives the panel passes the panel's gate on its node.
    addresses = {interface["ip"]: entry for entry in intent["nodes"] for interface in entry["interfaces"]}
    for catalog in sorted(glob.glob(os.path.join(tree, "hosts", "*", "spark-control", "models.yaml"))):
        panel = catalog.split(os.sep)[-3]
        text = open(catalog).read()
        problems, count = [], 0
        for command in re.findall(r"^  (?:activate|logs): ssh (\S+?)@(\S+) (.+)$", text, re.M):
            user, host, line = command
            count += 1
            entry = addresses.get(host)
            gate = entry and os.path.join(tree, "nodes", entry["name"], entry["stack_dir"].lstrip("/"), "scripts", f"ssh-gate-{panel}.sh")
            if not gate or not os.path.isfile(gate):
                problems.append(f"{host}: no gate for {panel}'s key")
            elif line not in gate_lines(gate):
                problems.append(f"{line!r} is not a line the gate of {panel} on {entry['name']} allows")
        if not count:
            problems.append("models.yaml has no activate or logs command")
        results.check(f"{panel}: models.yaml's {count} ssh commands are each a line its gate on the node allows", problems)


def failed_start(harness, node, code, err, calls, failing, previous):
    """What every failed swap must show: non-zero exit naming the failure, the container's logs,
    the failed container gone, and the model that served before running again."""
    problems = []
    if code in (0, None):
        problems.append(f"exit {code}, want non-zero")
    if f"swap to {failing[0]} failed" not in err:
        problems.append(f"stderr does not say the swap to {failing[0]} failed")
    if f"{failing[1]} failed at start" not in err:
        problems.append(f"stderr does not say {failing[1]} failed at start")
    if f"swap-check log line of {failing[1]}" not in err:
        problems.append("stderr does not carry the container's logs")
    if not docker_calls(calls, node, "logs"):
        problems.append("no `docker logs` call")
    if failing[1] in harness.containers(node):
        problems.append(f"{failing[1]} is still there afterwards")
    if f"restarted {previous[0]}" not in err:
        problems.append(f"stderr does not say it restarted {previous[0]}, which served before")
    if not harness.containers(node).get(previous[1], {}).get("running"):
        problems.append(f"{previous[1]}, which served before, does not run afterwards")
    return problems


def intent_stack_dir(intent, node):
    return next(entry["stack_dir"] for entry in intent["nodes"] if entry["name"] == node)


def main():
    if len(sys.argv) > 2 and sys.argv[1] in ("fake-docker", "fake-ssh"):
        tool = fake_docker if sys.argv[1] == "fake-docker" else fake_ssh
        return tool(sys.argv[2], sys.argv[3:])
    if len(sys.argv) == 7 and sys.argv[1] == "stub":
        return stub(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--intent", required=True)
    parser.add_argument("--node", action="append")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop after the first check that fails (a break case: the later checks, proven on the "
                             "unbroken tree, depend on the state the earlier ones leave)")
    arguments = parser.parse_args()
    if os.geteuid() != 0:
        print("swap_check: network and mount namespaces need root", file=sys.stderr)
        return 2
    tree = os.path.abspath(arguments.tree)
    intent = json.load(open(arguments.intent))
    nodes = [entry["name"] for entry in intent["nodes"]
             if os.path.isfile(os.path.join(tree, "nodes", entry["name"], entry["stack_dir"].lstrip("/"), "scripts", "swap.sh"))]
    if arguments.node:
        unknown = [node for node in arguments.node if node not in nodes]
        if unknown:
            print(f"swap_check: no scripts/swap.sh on {', '.join(unknown)}", file=sys.stderr)
            return 2
        nodes = arguments.node
    results = Results(arguments.fail_fast)
    if not nodes:
        print("note  not applicable: no node of the tree has scripts/swap.sh")
    try:
        for node in nodes:
            check_node(tree, intent, node, results)
    except FailFast:
        print("note  stopped after the first failing check (--fail-fast)")
    print(f"swap: {results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
