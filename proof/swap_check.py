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
          API lists it a second later), die (it exits at once) or hang (it runs, never listed);
          a vLLM whose --host/--port a running container holds dies (address in use);
          `inspect -f {{.State.Running}} X` prints true or false; `logs` prints a marker line.
  ssh     a stand-in that logs user@host and the command, and runs the command with bash on
          the node that has that address (from the intent), in a mount namespace of its own
          whose /home is that node's copy: the worker's own scripts run, unchanged, against
          the same stand-in docker. An address of no node fails as ssh would (exit 255).

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
  dies     a model whose container exits without serving: non-zero exit, its logs printed
  worker   a model with workers whose worker container exits while the head waits: non-zero
           exit within 20 s, saying a worker is not running (not a wait for the time-out)
  usage    `swap.sh nosuch`: exit 2 with the usage, which names every model; nothing touched
  timeout  SWAP_TIMEOUT=3 and a container that runs but is never listed: non-zero exit within
           10 s, saying so

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
RUN_TIMEOUT = 90        # one swap.sh run; SWAP_TIMEOUT bounds its wait below that
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
        if fmt != "{{.State.Running}}":
            print(f"fake docker: inspect format {fmt!r} is not modeled", file=sys.stderr)
            return 2
        status = 0
        for name in names:
            path = container_path(state, node, name)
            if not os.path.exists(path):
                print(f"Error: No such object: {name}", file=sys.stderr)
                status = 1
                continue
            print("true" if json.load(open(path))["running"] else "false")
        return status
    if command == "logs":
        name = rest[-1] if rest else ""
        if not name or not os.path.exists(container_path(state, node, name)):
            print(f"Error response from daemon: No such container: {name}", file=sys.stderr)
            return 1
        print(f"swap-check log line of {name}: ValueError: the stand-in model would not load")
        return 0
    print(f"fake docker: '{command}' is not modeled", file=sys.stderr)
    return 1


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
    record = {"image": image, "served": served, "socket": socket_, "running": mode != "die",
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
    # As sshd does: the remote user's shell runs the command line, in that user's home.
    script = (f"mount --make-rprivate / && mount --bind {shlex.quote(target['home'])} /home && "
              f"cd /home/{shlex.quote(user or 'root')} 2>/dev/null; exec bash -c \"$1\"")
    environment = dict(os.environ, SWAP_CHECK_NODE=target["node"])
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


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, label, problems, detail=""):
        if problems:
            self.failed += 1
            print(f"FAIL  {label}")
            for problem in problems:
                print(f"      {problem}")
            if detail:
                print("      " + detail.strip().replace("\n", "\n      "))
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
                targets[interface["ip"]] = {"node": name, "home": home}
            self.stand_in_env_files(name)
        with open(os.path.join(self.state, "ssh-targets.json"), "w") as handle:
            json.dump(targets, handle)
        for tool in ("docker", "ssh"):
            wrapper = os.path.join(self.bin, tool)
            with open(wrapper, "w") as handle:
                handle.write(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(HERE)} fake-{tool} "
                             f"{shlex.quote(self.state)} \"$@\"\n")
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

    def containers(self, node):
        return {os.path.basename(path)[:-5]: json.load(open(path))
                for path in glob.glob(os.path.join(self.state, "nodes", node, "*.json"))}

    def swap(self, *arguments, environment=None):
        """swap.sh ARGUMENTS at its node path; (exit code, stdout, stderr, seconds, calls made)."""
        before = len(self.calls())
        script_path = self.swap_info["stack_dir"] + "/scripts/swap.sh"
        script = (f"mount --make-rprivate / && mount --bind {shlex.quote(self.homes[self.node])} /home && "
                  f"cd / && exec {shlex.quote(script_path)} \"$@\"")
        env = dict(os.environ, PATH=f"{self.bin}:{os.environ.get('PATH', '/usr/bin:/bin')}", SWAP_CHECK_NODE=self.node)
        env.pop("SWAP_TIMEOUT", None)
        env.update(environment or {})
        started = time.monotonic()
        process = subprocess.Popen(["ip", "netns", "exec", self.namespace, "unshare", "--mount", "bash", "-c", script, "swap.sh",
                                    *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                   start_new_session=True)
        try:
            out, err = process.communicate(timeout=RUN_TIMEOUT)
            code = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            code, err = None, err + f"\n(killed after {RUN_TIMEOUT} s)"
        return code, out, err, time.monotonic() - started, self.calls()[before:]

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

        # dies: a container that exits without serving.
        dying = solo[-1] if solo else models[-1]
        harness.set_modes({dying[1]: "die"})
        code, out, err, seconds, calls = result = harness.swap(dying[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
        problems = []
        if code in (0, None):
            problems.append(f"exit {code}, want non-zero")
        if f"{dying[1]} is not running" not in err:
            problems.append("stderr does not say the container is not running")
        if f"swap-check log line of {dying[1]}" not in err:
            problems.append("stderr does not carry the container's logs")
        if not docker_calls(calls, node, "logs"):
            problems.append("no `docker logs` call")
        results.check(label + f"dies: swap.sh {dying[0]} whose container stops unserved exits non-zero with its logs", problems,
                      transcript(*result) if problems else "")

        # worker dies: a model with workers whose worker exits while the head waits for its GPU.
        if cluster and workers:
            worker_containers = [name for names in workers.values() for name in names]
            harness.set_modes({cluster[0][1]: "hang", **{name: "die" for name in worker_containers}})
            code, out, err, seconds, calls = result = harness.swap(cluster[0][0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
            problems = []
            if code in (0, None):
                problems.append(f"exit {code}, want non-zero")
            if seconds > 20:
                problems.append(f"took {seconds:.1f} s, want at most 20 (it waited for the time-out instead)")
            if "a worker of" not in err:
                problems.append("stderr does not say a worker is not running")
            results.check(label + f"worker dies: swap.sh {cluster[0][0]} whose worker exits fails in {seconds:.1f} s, not at the time-out", problems,
                          transcript(*result) if problems else "")

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
        if seconds > 10:
            problems.append(f"took {seconds:.1f} s, want at most 10")
        if "did not answer within 3s" not in err:
            problems.append("stderr does not say it did not answer in time")
        results.check(label + f"timeout: SWAP_TIMEOUT=3, {hanging[0]} runs but is never listed: non-zero exit in {seconds:.1f} s", problems,
                      transcript(*result) if problems else "")
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        results.check(label + "harness", [str(error)])
    finally:
        harness.cleanup()


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
    results = Results()
    if not nodes:
        print("note  not applicable: no node of the tree has scripts/swap.sh")
    for node in nodes:
        check_node(tree, intent, node, results)
    print(f"swap: {results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
