#!/usr/bin/env python3
"""Starts every multi-node Ray cluster of a generated tree with the real Ray, on the DAC.

  ray_check.py --tree OUT_DIR --intent TRUST_JSON [--venv DIR] [--no-reach]

OUT_DIR is a tree written by `spark-gen build`; TRUST_JSON is `spark-gen trust --format json`
for the same topology. For each cluster (a head entrypoint with `ray start --head`, and the
worker entrypoints whose `--address` is that head's) it:

  1. makes sure a venv holds the `ray` the tree's Dockerfile.vllm-spark pins (default
     ~/.cache/spark-gen/ray-venv-system, made with Debian's optimized python3, or ray-venv where
     that cannot make one; reused once complete, as litellm_check.py does for LiteLLM);
  2. builds the topology's network in namespaces with netns_matrix.py's Harness (every node
     with its link addresses, the LAN neighbour, the tailnets), and runs each cluster node's
     generated scripts/firewall.sh with the real ufw (a private copy of its state);
  3. runs the generated head entrypoint as it is, in the head's namespace, with the
     environment its launch script gives the container (`-e` words and the `--env-file`,
     here a token file of the shape the RUNBOOK writes) and a private /tmp, /dev/shm and
     HOME, as the container has; `vllm` on its PATH is a stand-in that records that the
     entrypoint got past its wait for every GPU, and then sleeps;
  4. runs the worker's `ray start` with a wrong token: it must not join (the head still
     counts one node, and its wait goes on);
  5. runs each generated worker entrypoint as it is, and waits (bounded) until the head's
     entrypoint sees every GPU and starts `vllm serve`;
  6. reads `ss -ltnup` in every cluster node's namespace, once the sockets stop changing:
     every socket Ray listens on must be a listener `trust` gives that node (same port, same
     address), and every Ray listener of `trust` must be bound;
  7. probes every such port from every vantage of the intent (the link peer, the LAN's
     neighbour, the tailnets) and compares with the intent; a port trust does not list is
     probed from the link peers and the LAN too, and any reach there is reported.

One long-lived Python of the venv answers every question to the head's GCS (which nodes it
counts alive), so ray is imported once a cluster, not once a question.

--no-reach leaves out step 2's firewalls and tailnet filter, and step 7's probes: what Ray
binds, who joins and the launch scripts' token settings are checked as above. It is for a break
case of those (an unpinned port, no token authentication), which needs no ufw to show.

Ray runs without GPUs: `--num-gpus=1` only declares a resource. Every process runs in a
namespace of this run, and all of them (and the namespaces) are removed at the end, on
failure too; every wait is bounded.
"""
import argparse
import cached_venv
import glob
import json
import os
import queue
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netns_matrix  # noqa: E402  (the namespace helpers)

# The venv's interpreter: Debian's python3 where it can make a venv of a Python ray 2.54.1 has
# wheels for (3.10-3.13), else the one running this. Every Ray process of a cluster (the `ray
# start`s, log monitors, agents, idle workers, the head's GPU poll: a dozen) starts by importing
# ray, most of a cluster's CPU. Debian builds its python3 with --enable-optimizations and
# --with-lto; the pyenv 3.11.7 on PATH here has neither (sysconfig's CONFIG_ARGS: only
# --enable-shared), and `import ray` cost 0.72 CPU-s there, 0.59 on Debian's 3.11.2 (five runs
# each, alternating, load 16). A venv of its own: ~/.cache/spark-gen/ray-venv stays the other's.
SYSTEM_PYTHON = "/usr/bin/python3"
WHEEL_PYTHONS = "(3, 10) <= sys.version_info[:2] <= (3, 13)"


def venv_python():
    """(interpreter or None for the one running this, default venv) for the Ray venv."""
    if os.path.realpath(SYSTEM_PYTHON) != os.path.realpath(sys.executable) and os.access(SYSTEM_PYTHON, os.X_OK):
        check = subprocess.run([SYSTEM_PYTHON, "-c", f"import sys, ensurepip, venv; sys.exit(not {WHEEL_PYTHONS})"],
                               capture_output=True, timeout=60)
        if check.returncode == 0:
            return SYSTEM_PYTHON, os.path.expanduser("~/.cache/spark-gen/ray-venv-system")
    return None, os.path.expanduser("~/.cache/spark-gen/ray-venv")  # None: cached_venv's own, as before
VENV_TIMEOUT = 900       # a cold install takes about a minute (ray's wheel is ~70 MB)
HEAD_TIMEOUT = 120       # the head's GCS answering after its start
WRONG_TOKEN_TIMEOUT = 60  # the wrong-token worker must give up, or still be out, by then
JOIN_TIMEOUT = 180       # the workers joined and the head's entrypoint started `vllm serve`
# After the join, Ray's agents and idle workers may still be binding: the audit reads the
# sockets once they have not changed for QUIET seconds (read every POLL), at most SETTLE_TIMEOUT.
QUIET = 2
POLL = 0.5
SETTLE_TIMEOUT = 30
STOP_GRACE = 10
# Harness environment, not the tree's: no usage report (nothing beyond the namespace anyway).
HARNESS_ENV = {"RAY_USAGE_STATS_ENABLED": "0"}
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# How Ray's GcsClient logs a connection the GCS refused for its token (gcs_client.cc; seen as
# "Failed to get cluster ID from GCS server: Unauthenticated: RPC error: InvalidAuthToken:
# Authentication token is missing or incorrect", ray-project/kuberay#4922).
REFUSED = re.compile(r"InvalidAuthToken[^\n]*")
RAY_PIN = re.compile(r"\bray==([0-9][0-9A-Za-z.+-]*)")


STARTED = time.monotonic()


def say(message):
    print(message, flush=True)


def phase(what):
    """A step's end, by the time since the start: where a run's wall time went."""
    say(f"  [{time.monotonic() - STARTED:5.1f} s] {what}")


class CheckError(Exception):
    pass


# ---------------------------------------------------------------------------------------
# The venv


def pinned_ray(tree):
    """The `ray==X` every Dockerfile.vllm-spark of the tree installs (they must agree)."""
    pins = {}
    for path in sorted(glob.glob(os.path.join(tree, "nodes", "*", "**", "Dockerfile.vllm-spark"), recursive=True)):
        found = RAY_PIN.findall(open(path).read())
        if len(found) != 1:
            raise CheckError(f"{os.path.relpath(path, tree)}: expected one ray==VERSION, found {found or 'none'}")
        pins[os.path.relpath(path, tree)] = found[0]
    if not pins:
        raise CheckError("no Dockerfile.vllm-spark in the tree pins ray")
    if len(set(pins.values())) != 1:
        raise CheckError(f"the Dockerfiles pin different rays: {pins}")
    return next(iter(pins.values()))


def ensure_venv(venv, requirement, python):
    """Install `requirement` into venv unless a complete install of it is there (cached_venv)."""
    cached_venv.ensure(venv, [requirement], "ray", "about 260 MB, about a minute", say=say, error=CheckError, timeout=VENV_TIMEOUT,
                       python=python)


# ---------------------------------------------------------------------------------------
# What the tree says


def continued_lines(text):
    """The script's lines with backslash continuations joined."""
    return re.sub(r"\\\n\s*", " ", text).splitlines()


def ray_start_words(text):
    """The words of the entrypoint's `ray start` command, up to and with --block."""
    for line in continued_lines(text):
        if "ray start" in line:
            words = shlex.split(line[line.index("ray start"):].split(";")[0].split("&")[0])
            return words[: words.index("--block") + 1] if "--block" in words else words
    return None


def flags(words):
    found = {}
    for word in words:
        if word.startswith("--"):
            name, _, value = word.partition("=")
            found[name] = value
    return found


def launch_environment(launch_text, node_home):
    """(environment, env files) of the launch script's `docker run`: its `-e NAME=VALUE` words and
    the paths of its `--env-file`s, with $home expanded as the script sets it."""
    line = next(line for line in continued_lines(launch_text) if line.lstrip().startswith("docker run"))
    words = shlex.split(line)
    environment, env_files = {}, []
    for index, word in enumerate(words[:-1]):
        if word == "-e":
            name, _, value = words[index + 1].partition("=")
            environment[name] = value
        elif word == "--env-file":
            env_files.append(words[index + 1])
    return environment, env_files


class NodeRun:
    """One node of a cluster: its namespace, generated scripts and the processes started there."""

    def __init__(self, name, namespace, entrypoint, launch, scratch):
        self.name, self.namespace = name, namespace
        self.entrypoint, self.launch = entrypoint, launch
        self.text = open(entrypoint).read()
        self.words = ray_start_words(self.text)
        self.flags = flags(self.words)
        self.home = os.path.join(scratch, name)
        os.makedirs(os.path.join(self.home, "bin"), exist_ok=True)
        self.marker = os.path.join(self.home, "vllm-serve-args")
        self.environment, self.env_files = launch_environment(open(launch).read(), self.home)
        self.process = None


def find_clusters(harness, intent):
    """[(head NodeRun, [worker NodeRun])] from the tree's entrypoints, one per head address."""
    nodes = {node["name"]: node for node in intent["nodes"]}
    heads, workers = {}, []
    for name, node in nodes.items():
        scripts = os.path.join(harness.tree, "nodes", name, node["stack_dir"].lstrip("/"), "scripts")
        for entrypoint in sorted(glob.glob(os.path.join(scripts, "*-entrypoint.sh"))):
            text = open(entrypoint).read()
            if "ray start" not in text:
                continue
            mount = f"$stack_dir/scripts/{os.path.basename(entrypoint)}:"
            launch = next((path for path in sorted(glob.glob(os.path.join(scripts, "*.sh")))
                           if mount in open(path).read()), None)
            if launch is None:
                raise CheckError(f"{os.path.relpath(entrypoint, harness.tree)}: no launch script mounts it")
            run = NodeRun(name, harness.node_ns(name), entrypoint, launch, harness.scratch)
            if "--head" in run.words:
                address = f"{run.flags['--node-ip-address']}:{run.flags.get('--port', '6379')}"
                heads.setdefault(address, run)  # a catalog's models start one Ray: the first stands for all
            else:
                workers.append(run)
    clusters = []
    for address, head in heads.items():
        members = [w for w in workers if w.flags.get("--address") == address]
        if not members:
            raise CheckError(f"head {head.name} ({address}): no worker entrypoint names it")
        seen = {}
        for worker in members:
            seen.setdefault(worker.name, worker)
        clusters.append((address, head, list(seen.values())))
    orphans = [w for w in workers if not any(w.flags.get("--address") == a for a, _, _ in clusters)]
    if orphans:
        raise CheckError(f"worker entrypoints with no head: {[w.entrypoint for w in orphans]}")
    return clusters


def token_variable(tree):
    """The variable the RUNBOOK's token file sets (its `printf 'NAME=%s\\n'` line)."""
    for path in sorted(glob.glob(os.path.join(tree, "nodes", "*", "**", "RUNBOOK.md"), recursive=True)):
        match = re.search(r"printf '([A-Z_]+)=%s\\n' \"\$\(openssl rand", open(path).read())
        if match:
            return match.group(1)
    raise CheckError("no RUNBOOK.md writes the Ray token file")


# ---------------------------------------------------------------------------------------
# Running Ray


def start(run, venv, token, script=None):
    """The node's entrypoint (or `script`) in its namespace, with a private /tmp, /dev/shm and
    HOME, the launch script's environment and a token file's contents in place of its env file."""
    environment = {"PATH": f"{run.home}/bin:{venv}/bin:{SYSTEM_PATH}", "HOME": run.home, "LANG": "C.UTF-8"}
    environment.update(run.environment)
    environment.update(token)
    environment.update(HARNESS_ENV)
    stub = os.path.join(run.home, "bin", "vllm")
    with open(stub, "w") as handle:
        handle.write(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {shlex.quote(run.marker)}\nexec sleep infinity\n")
    os.chmod(stub, 0o755)
    private = os.path.join(run.home, "tmp" if script is None else "tmp-wrong-token")
    os.makedirs(private, exist_ok=True)
    # A copy: the tree may be under /tmp, which the private /tmp hides.
    entrypoint = os.path.join(run.home, os.path.basename(run.entrypoint))
    shutil.copyfile(run.entrypoint, entrypoint)
    body = script or f"exec bash {shlex.quote(entrypoint)}"
    wrapper = (f"mount --make-rprivate / && mount --bind {shlex.quote(private)} /tmp && "
               f"mount -t tmpfs -o mode=1777 tmpfs /dev/shm && {body}")
    log = open(os.path.join(run.home, "log" if script is None else "log-wrong-token"), "w")
    env_words = [f"{name}={value}" for name, value in environment.items()]
    return subprocess.Popen(["ip", "netns", "exec", run.namespace, "env", "-i", *env_words,
                             "unshare", "--mount", "bash", "-c", wrapper],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


# One Python, importing ray once, answers every question to the GCS of a cluster: which nodes it
# counts alive. A Python per question spent about 1 CPU-s on `import ray` alone, and
# `ray.init` made each a driver of its own. GcsClient.get_all_node_info (ray/_private/services.py
# of ray 2.54.1 asks it the same way) reads the GCS's node table without joining as a driver;
# the head's entrypoint itself is the driver that makes the head's raylet prestart its workers
# (its GPU poll runs `ray.init`), as vLLM is on a real head. It also counts the drivers that are
# not dead (get_all_job_info, as ray/_common/usage/usage_lib.py of ray 2.54.1 counts running
# jobs): the head's GPU poll is one once it has connected.
GCS_ASKER = """
import json, sys
from ray._raylet import GcsClient
from ray.core.generated.gcs_pb2 import GcsNodeInfo
client = None
for line in sys.stdin:
    try:
        client = client or GcsClient(address=sys.argv[1])
        infos = client.get_all_node_info(timeout=20, state_filter=GcsNodeInfo.GcsNodeState.ALIVE).values()
        jobs = client.get_all_job_info(skip_submission_job_info_field=True, skip_is_running_tasks_field=True, timeout=20)
        drivers = sum(1 for job in jobs.values() if not job.is_dead)
        print(json.dumps([line.strip(), {"alive": sorted(info.node_manager_address for info in infos),
                                         "drivers": drivers}]), flush=True)
    except Exception as error:  # not up yet, or refused: asked again later
        client = None
        print(json.dumps([line.strip(), {"error": str(error)[-300:]}]), flush=True)
"""
ASK_TIMEOUT = 60


class GcsAsker:
    """The long-lived Python of GCS_ASKER in the head's namespace, with the head's environment and
    token. alive() is the node addresses the GCS counts alive, or None while it does not answer;
    drivers is the number of live drivers its last answer counted."""

    def __init__(self, head, venv, token):
        environment = {"PATH": f"{venv}/bin:{SYSTEM_PATH}", "HOME": head.home, "LANG": "C.UTF-8"}
        environment.update(head.environment, **token, **HARNESS_ENV)
        address = f"{head.flags['--node-ip-address']}:{head.flags.get('--port', '6379')}"
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", head.namespace, "env", "-i", *[f"{k}={v}" for k, v in environment.items()],
             os.path.join(venv, "bin", "python"), "-c", GCS_ASKER, address],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.answers = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.last = None
        self.drivers = 0
        self.asked = 0

    def _read(self):
        for line in self.process.stdout:
            self.answers.put(line)
        self.answers.put(None)

    def alive(self):
        """Each question is numbered: an answer that comes after its time-out is skipped."""
        if self.process.poll() is not None:
            self.last = {"error": f"the asker exited ({self.process.returncode})"}
            return None
        self.asked += 1
        deadline = time.monotonic() + ASK_TIMEOUT
        try:
            self.process.stdin.write(f"{self.asked}\n")
            self.process.stdin.flush()
            while True:
                line = self.answers.get(timeout=max(0.1, deadline - time.monotonic()))
                if line is None:
                    return None
                number, answer = json.loads(line)
                if number == str(self.asked):
                    break
        except (OSError, ValueError, queue.Empty):
            return None
        self.last = answer
        if "alive" not in answer:
            return None
        self.drivers = answer["drivers"]
        return answer["alive"]

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def read(path):
    try:
        with open(path, errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def wait_until(timeout, predicate, interval=0.5):
    """True once predicate() holds, False when timeout seconds pass first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def wait_for(what, timeout, predicate, interval=2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise CheckError(f"timed out after {timeout} s waiting for {what}")


def kill_namespace(namespace, graceful=True):
    """SIGTERM, then SIGKILL, every process of the namespace (all of them ours). At the end of
    a cluster's checks nothing is left to shut down cleanly: graceful=False kills at once (a
    raylet's orderly exit took seconds of wall and CPU, and its state dies with the namespace)."""
    steps = ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 5)) if graceful else ((signal.SIGKILL, 5),)
    for signum, grace in steps:
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
            return


def namespace_pids(namespace):
    result = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True, timeout=30)
    return [int(pid) for pid in result.stdout.split()] if result.returncode == 0 else []


def sockets(namespace):
    """{(bind, port): {process names}} of the TCP and UDP sockets listening in the namespace."""
    result = netns_matrix.in_ns(namespace, "ss", "-H", "-ltnup")
    found = {}
    for line in result.stdout.splitlines():
        fields = line.split()
        local = fields[4]
        host, _, port = local.rpartition(":")
        host = host.strip("[]").split("%")[0]
        names = set(re.findall(r'\("([^"]+)"', line))
        if host in ("*", "::"):
            names.add(f"on {local}")   # every address, IPv6 and IPv4 (dual-stack)
        if host in ("*", "::", "0.0.0.0"):
            host = "0.0.0.0"
        found.setdefault((host, int(port)), set()).update(names or {"?"})
    return found


def settled_sockets(namespaces):
    """{namespace: sockets} once no namespace's listening sockets changed for QUIET seconds
    (at most SETTLE_TIMEOUT): a readiness check in place of a fixed wait."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    seen = {namespace: sockets(namespace) for namespace in namespaces}
    since = time.monotonic()
    while time.monotonic() - since < QUIET and time.monotonic() < deadline:
        time.sleep(POLL)
        now = {namespace: sockets(namespace) for namespace in namespaces}
        if {n: set(found) for n, found in now.items()} != {n: set(found) for n, found in seen.items()}:
            since = time.monotonic()
        seen = now
    return seen


def memory_mb(namespace):
    """Resident memory of every process in the namespace, in MB."""
    total = 0
    for pid in namespace_pids(namespace):
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total // 1024


# ---------------------------------------------------------------------------------------
# The checks


def check_cluster(harness, intent, venv, address, head, workers, token_name, results, reach=True):
    token = {token_name: secrets.token_hex(32)}
    label = f"cluster {address} (head {head.name}, workers {', '.join(w.name for w in workers)})"
    say(f"\n{label}: head {os.path.relpath(head.entrypoint, harness.tree)}")
    for run in (head, *workers):
        mode = run.environment.get("RAY_AUTH_MODE")
        results.append((f"{run.name}: the launch script sets RAY_AUTH_MODE=token and reads an env file",
                        mode == "token" and bool(run.env_files), f"RAY_AUTH_MODE={mode}, env files {run.env_files}"))
    head.process = start(head, venv, token)
    launched = time.monotonic()
    # `ray start` says "Ray runtime started." once its GCS and raylet are up: watching its log
    # costs nothing. Meanwhile the GCS asker imports ray; it then asks until the head is counted.
    asker = GcsAsker(head, venv, token)
    try:
        return check_started_cluster(harness, intent, venv, head, workers, token, token_name, results, asker, launched, reach)
    finally:
        asker.close()


def check_started_cluster(harness, intent, venv, head, workers, token, token_name, results, asker, launched, reach):
    head_ip = head.flags["--node-ip-address"]
    log = os.path.join(head.home, "log")
    wait_for("the head's `ray start` to say the runtime started", HEAD_TIMEOUT,
             lambda: head.process.poll() is not None or "Ray runtime started" in read(log), interval=0.5)
    if head.process.poll() is not None:
        raise CheckError(f"the head's entrypoint exited ({head.process.returncode}) before its runtime started")
    try:
        wait_for("the head's GCS", max(10, HEAD_TIMEOUT - (time.monotonic() - launched)),
                 lambda: asker.alive() == [head_ip], interval=0.5)
    except CheckError as error:
        raise CheckError(f"{error}; its last answer: {asker.last}")
    say(f"  head up: {head_ip} ({time.monotonic() - launched:.0f} s)")
    # From here on, until every worker has joined, a `vllm serve` (the marker) is a wait that
    # did not wait. The head's entrypoint is in its wait for the GPUs once its poll has joined
    # as a driver (it asks at once and then every 2 s): the workers start only then (below), so
    # a poll that does not wait starts `vllm serve` while the GCS counts the head alone.
    early, watching = [], [True]

    def started_early():
        """Whether `vllm serve` has started (recording in `early` the count of alive nodes if
        that is short of the cluster). The marker is read first: nodes only join here (unless a
        wrong-token worker joined and was stopped: then nothing is recorded), so a count read
        after it that is short was short when `vllm serve` started."""
        if not os.path.exists(head.marker):
            return False
        alive = asker.alive()
        if watching[0] and alive is not None and len(alive) < 1 + len(workers) and not early:
            early.append(alive)
        return True

    # A worker with a wrong token: its own `ray start`, once, with the generated flags, as soon
    # as the GCS answers (it needs the GCS up to be refused by it, not the head's poll: its
    # `import ray` and the poll's connecting overlap, about 4 s of wall at load 20).
    wrong = dict(token)
    wrong[token_name] = secrets.token_hex(32)
    worker = workers[0]
    tried = time.monotonic()
    attempt = start(worker, venv, wrong, script="exec " + shlex.join(worker.words))
    # Until the attempt ends, the head's GCS refuses its token (Ray's GcsClient logs each refusal
    # as "Unauthenticated: ... InvalidAuthToken" and retries), or it joins: the head's
    # entrypoint then sees a second GPU and starts `vllm serve` (the marker). Whichever comes
    # first; the head's count of alive nodes below decides, as before.
    attempt_log = os.path.join(worker.home, "log-wrong-token")
    wait_until(WRONG_TOKEN_TIMEOUT, lambda: attempt.poll() is not None or started_early()
               or REFUSED.search(read(attempt_log)) is not None)
    started_early()
    code = attempt.poll()
    refusal = REFUSED.search(read(attempt_log))
    nodes = asker.alive()
    # A `vllm serve` already started while only the head was alive is the head's wait's fault,
    # reported below; any other is the wrong-token worker's joining.
    refused = nodes == [head_ip] and (not os.path.exists(head.marker) or bool(early)) and code != 0
    watching[0] = refused
    how = f"exit {code}" if code is not None else ("refused: " + refusal.group(0)) if refusal else "still running"
    results.append((f"{worker.name}: `ray start` with a wrong token does not join the head "
                    f"({how} after {time.monotonic() - tried:.0f} s)", refused, f"exit {code}, alive nodes {nodes}"))
    phase(f"the wrong-token attempt ended: {how}")
    kill_namespace(worker.namespace)
    attempt.wait(timeout=10)
    phase("the wrong-token attempt stopped")
    # The poll is a driver, or it has already started `vllm serve` (a wrong-token worker that
    # joined, or a wait that did not wait: then its job is over and it counts no more).
    wait_for("the head entrypoint's GPU poll to connect", HEAD_TIMEOUT,
             lambda: os.path.exists(head.marker) or (asker.alive() is not None and asker.drivers > 0), interval=0.5)
    phase("the head entrypoint's GPU poll is a driver")

    for run in workers:
        run.process = start(run, venv, token)
    started = time.monotonic()
    # Both: the head's entrypoint saw every GPU (it started `vllm serve`), and the GCS counts
    # every worker. A wrong-token worker that joined (a break) has started `vllm serve` already,
    # and the real workers must still be waited for before their sockets are read.
    expected = sorted([head_ip] + [w.flags["--node-ip-address"] for w in workers])
    joined = wait_until(JOIN_TIMEOUT, lambda: started_early() and asker.alive() == expected)
    results.append((f"{head.name}: the head entrypoint started `vllm serve` only once every GPU had joined",
                    not early, f"it started while the GCS counted {early[0] if early else ''} alive"))
    results.append((f"{head.name}: every worker joined ({time.monotonic() - started:.0f} s), the head entrypoint "
                    f"started `vllm serve`", joined, f"alive nodes {asker.last}, expected {expected}, `vllm serve` "
                    f"{'started' if os.path.exists(head.marker) else 'not started'}"))
    phase("joined")
    settled = settled_sockets([run.namespace for run in (head, *workers)])
    phase("sockets settled")
    observed = {run.name: settled[run.namespace] for run in (head, *workers)}
    memory = {run.name: memory_mb(run.namespace) for run in (head, *workers)}
    say("  memory (RSS): " + ", ".join(f"{name} {mb} MB" for name, mb in memory.items()))
    for name, found in observed.items():
        say(f"  {name} listens on: " + ", ".join(f"{b}:{p} ({'/'.join(sorted(n))})" for (b, p), n in sorted(found.items(), key=lambda i: (i[0][1], i[0][0]))))
    worker_ports = {run.name: (int(run.flags.get("--min-worker-port", 10002)), int(run.flags.get("--max-worker-port", 19999)))
                    for run in (head, *workers)}
    audit_listeners(intent, observed, worker_ports, results)
    if reach:
        probe(harness, intent, observed, results)
        phase("probed")
    return memory


def intended_listeners(intent, node):
    """{(bind, port): service} trust gives the node."""
    return {(cell["bind"], cell["port"]): cell["service"] for cell in intent["reachability"] if cell["node"] == node}


def every_port_from(intent, node):
    """{(link, peer)} that trust says the node's firewall admits on every port."""
    info = next(n for n in intent["nodes"] if n["name"] == node)
    return {(entry["link"], entry["peer"]) for entry in info.get("every_port_from", [])}


def audit_listeners(intent, observed, worker_ports, results):
    """Each socket is a listener trust gives the node, or a Ray worker's port: in the range the
    generated flags pin, on every address, reached by the cluster peers trust says get every port."""
    for node, found in observed.items():
        intended = intended_listeners(intent, node)
        low, high = worker_ports[node]
        for (bind, port), names in sorted(found.items(), key=lambda item: (item[0][1], item[0][0])):
            service = intended.get((bind, port))
            if service is None and low <= port <= high and bind == "0.0.0.0":
                peers = sorted(peer for _, peer in every_port_from(intent, node))
                results.append((f"{node}: {'/'.join(sorted(names))} listens on {bind}:{port}, a Ray worker port "
                                f"({low}-{high}, reached by {', '.join(peers) or 'nobody'} on every port)", bool(peers),
                                "trust gives no peer every port of this node"))
                continue
            results.append((f"{node}: {'/'.join(sorted(names))} listens on {bind}:{port}",
                            service is not None,
                            f"trust lists it as {service!r}" if service else
                            f"trust lists {sorted(b for b, p in intended if p == port) or 'nothing'} on port {port}"))
        for (bind, port), service in sorted(intended.items()):
            if service.startswith("ray") and (bind, port) not in found:
                results.append((f"{node}: trust's {service} on {bind}:{port} is bound", False, "nothing listens there"))


# Every target at once, each in a thread: a port the firewall drops answers nothing and waits
# out the time-out, which one after the other came to a minute a cluster.
CONNECT = """
import json, socket, sys, threading
targets = json.loads(sys.argv[1])
results = [False] * len(targets)
def connect(index, host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
        results[index] = True
    except OSError:
        pass
threads = [threading.Thread(target=connect, args=(i, host, port)) for i, (host, port) in enumerate(targets)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(results))
"""


def connect_probe(namespace, targets):
    """True for each target that accepts a TCP connection from the namespace. (nsagent's probe
    counts a server that speaks first as refused, and Ray's gRPC servers send their settings
    at once.)"""
    return json.loads(netns_matrix.in_ns(namespace, sys.executable, "-S", "-c", CONNECT, json.dumps(targets)).stdout)


def probe(harness, intent, observed, results):
    """Every observed port from every vantage: as the intent says where it lists the port,
    refused from link peers and the LAN where it does not. One round of probes for both: a
    vantage's targets go to one probe Python."""
    cells = [cell for cell in intent["reachability"]
             if cell["node"] in observed and any(port == cell["port"] for _, port in observed[cell["node"]])]
    # Ports trust lists no listener on: only the peers trust gives every port reach them. (Their
    # cells never share a (node, port, vantage) with the listed ones.)
    extra = []
    for node, found in observed.items():
        listed = {port for _, port in intended_listeners(intent, node)}
        everything = every_port_from(intent, node)
        for port in sorted({port for _, port in found} - listed):
            for vantage in intent["vantages"]:
                if vantage.startswith(("link:", "lan:")) and not vantage.endswith(":" + node):
                    parts = vantage.split(":")
                    admitted = parts[0] == "link" and (parts[1], parts[2]) in everything
                    extra.append({"node": node, "port": port, "vantage": vantage, "bind": "0.0.0.0",
                                  "service": "unlisted", "reachable": admitted})
    listeners = {node: list(found) for node, found in observed.items()}
    harness.intent = dict(intent, reachability=cells + extra)
    try:
        seen = harness.observe(listeners)
    finally:
        harness.intent = intent
    for cell in cells:
        actual = seen[(cell["node"], cell["port"], cell["vantage"])]
        results.append((f"{cell['node']}:{cell['port']} ({cell['service']}) from {cell['vantage']}: "
                        f"{'reachable' if cell['reachable'] else 'refused'}", actual == cell["reachable"],
                        f"observed {'reachable' if actual else 'refused'}"))
    for cell in extra:
        actual = seen[(cell["node"], cell["port"], cell["vantage"])]
        expected = "reachable (every port)" if cell["reachable"] else "refused"
        results.append((f"{cell['node']}:{cell['port']} (no listener in trust) from {cell['vantage']}: {expected}",
                        actual == cell["reachable"], f"observed {'reachable' if actual else 'refused'}"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--intent", required=True)
    parser.add_argument("--venv", help="the Ray venv (default: ~/.cache/spark-gen/ray-venv-system, or ray-venv "
                        "where Debian's python3 cannot make one)")
    parser.add_argument("--no-reach", action="store_true",
                        help="no firewalls, tailnet filter or probes: only what Ray binds and who joins")
    arguments = parser.parse_args()
    if os.geteuid() != 0:
        print("ray_check: network namespaces need root", file=sys.stderr)
        return 2
    tree = os.path.abspath(arguments.tree)
    intent = json.load(open(arguments.intent))
    started = time.monotonic()
    results = []
    host_rules_before = netns_matrix.run("iptables", "-S").stdout
    # The scratch directory leaves /tmp: each node binds a private directory over /tmp.
    harness = netns_matrix.Harness(tree, intent)
    harness.probe = connect_probe
    shutil.rmtree(harness.scratch, ignore_errors=True)
    harness.scratch = tempfile.mkdtemp(prefix="spark-gen-ray-", dir="/var/tmp")
    os.chmod(harness.scratch, 0o755)
    try:
        requirement = f"ray=={pinned_ray(tree)}"
        clusters = find_clusters(harness, intent)
        if not clusters:
            print("ray: no multi-node Ray cluster in this tree")
            return 0
        python, default_venv = venv_python()
        arguments.venv = arguments.venv or default_venv
        ensure_venv(arguments.venv, requirement, python)
        token_name = token_variable(tree)
        built = time.monotonic()
        harness.build_networks()
        members = sorted({run.name for _, head, workers in clusters for run in (head, *workers)})
        # ufw is most of this (about 25 ufw commands a node, each a Python start).
        for node in members if not arguments.no_reach else []:
            harness.apply_firewall(node)
            harness.emulate_tailscaled(node)
        say(f"namespaces{'' if arguments.no_reach else ' and firewalls'}: {time.monotonic() - built:.0f} s")
        for address, head, workers in clusters:
            try:
                check_cluster(harness, intent, arguments.venv, address, head, workers, token_name, results,
                              reach=not arguments.no_reach)
            except CheckError:
                for run in (head, *workers):
                    for log in sorted(glob.glob(os.path.join(run.home, "log*"))):
                        say(f"--- {run.name}: {os.path.basename(log)} (last 30 lines)\n" + "".join(open(log).readlines()[-30:]))
                raise
            finally:
                for run in (head, *workers):
                    kill_namespace(run.namespace, graceful=False)
                for run in (head, *workers):
                    if run.process:
                        run.process.wait(timeout=10)
    except CheckError as error:
        results.append(("setup", False, str(error)))
    finally:
        for namespace in harness.namespaces:
            kill_namespace(namespace, graceful=False)
        harness.cleanup()
    print()
    for description, ok, detail in results:
        print(f"  {'ok  ' if ok else 'FAIL'}  {description}" + ("" if ok else f": {detail}"))
    failures = sum(1 for _, ok, _ in results if not ok)
    if netns_matrix.run("iptables", "-S").stdout != host_rules_before:
        print("ray_check: the host's firewall changed during the run", file=sys.stderr)
        return 1
    print(f"\nray: {len(results) - failures} passed, {failures} failed ({time.monotonic() - started:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
