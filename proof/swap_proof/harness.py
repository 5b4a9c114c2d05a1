"""The swap proof's harness (swap_check.py): a network and mount namespace per node with
the fake docker and ssh on its PATH, swap.sh runs with their transcripts, and the results.
"""
import glob
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

# The entry script: the harness runs it again as the fake docker, ssh and model stub.
HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "swap_check.py")
RUN_TIMEOUT = 150       # one swap.sh run; SWAP_TIMEOUT bounds its wait below that
# SWAP_TIMEOUT (swap.sh's `timeout=${SWAP_TIMEOUT:-1800}`) for the runs that must fail early.
# A run whose failure is found only at the time-out says "did not answer within" and takes at
# least EARLY_TIMEOUT - 1 s (its deadline is in bash's whole SECONDS); one found early, at the
# first poll, takes 5-8 s at a load of 20 (the previous model's restart included). Kept short:
# a break case of these checks waits the whole time-out (it was 100 s, each such break 108 s).
EARLY_TIMEOUT = 20
EARLY = EARLY_TIMEOUT - 1
SWAP_TIMEOUT = 30       # what the runs that should succeed give swap.sh


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
                # Only the fakes' module, without site (-S; they need the standard library alone):
                # swap.sh calls docker and ssh hundreds of times in a run.
                code = (f"import sys; sys.path.insert(0, {os.path.dirname(HERE)!r}); from swap_proof.fakes import fake_{tool}; "
                        f"sys.exit(fake_{tool}(sys.argv[1], sys.argv[2:]))")
                handle.write(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -S -c {shlex.quote(code)} {shlex.quote(self.state)} \"$@\"\n")
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
