#!/usr/bin/env python3
"""Proves that every vLLM container of a tree starts from a read-only Hugging Face cache.

  hf_cache_check.py --tree OUT_DIR [--venv-root DIR]

For every vLLM container (a launch script's `docker run`, a compose service whose entrypoint is
`vllm serve`) on a node whose RUNBOOK.md downloads with hf: its hub cache mount must be `:ro`, and
with the container's own environment the real huggingface_hub (the version the runbook's pip3
line resolves, in hf_check.py's cached venv) must load the served repository as vLLM does at
start (weight_utils.py: snapshot_download of *.json and hf_hub_download, both with
local_files_only=HF_HUB_OFFLINE) from a cache bind-mounted read-only in a private mount
namespace, while a stand-in Hub at HF_ENDPOINT says the branch moved on. The cache must be
unchanged afterwards. The control, the same run without HF_HUB_OFFLINE, must fail on the
read-only file system (huggingface_hub writes refs/main and fetches the new commit), so the
check can fail. Runs as root (mount namespaces); a missing tool is a failure.
"""
import argparse
import glob
import hashlib
import http.server
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading

import yaml

import hf_check

OLD = "a" * 40
NEW = "b" * 40
HUB_IN_CONTAINER = "/root/.cache/huggingface/hub"
FILES = {"config.json": b'{"model_type": "llama"}', "tokenizer_config.json": b"{}"}

# What vLLM does with the hub at start, in its own words (vllm/model_executor/model_loader/weight_utils.py).
LOADER = """
import sys
import huggingface_hub.constants as constants
from huggingface_hub import hf_hub_download, snapshot_download
repo = sys.argv[1]
offline = constants.HF_HUB_OFFLINE
folder = snapshot_download(repo, allow_patterns=["*.json"], local_files_only=offline)
config = hf_hub_download(repo, "config.json", local_files_only=offline)
print("LOADED", folder, config)
"""


class StandInHub(http.server.BaseHTTPRequestHandler):
    """A Hub whose main branch has moved to NEW since the node downloaded OLD."""

    def log_message(self, *arguments):
        pass

    def _answer(self, body):
        path = self.path.split("?")[0]
        if path.startswith("/api/models/") and "/tree/" in path:
            payload = json.dumps([{"type": "file", "path": name, "oid": hashlib.sha1(content).hexdigest(), "size": len(content)}
                                  for name, content in FILES.items()]).encode()
        elif path.startswith("/api/models/"):
            payload = json.dumps({"id": path.split("/")[3] + "/" + path.split("/")[4], "sha": NEW,
                                  "siblings": [{"rfilename": name} for name in FILES]}).encode()
        else:
            payload = FILES.get(path.rsplit("/", 1)[-1], b"{}")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Repo-Commit", NEW)
        self.send_header("ETag", '"' + hashlib.sha1(payload).hexdigest() + '"')
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def do_GET(self):
        self._answer(True)

    def do_HEAD(self):
        self._answer(False)


def containers(tree):
    """(node, file, name, model, environment, mounts) of every vLLM container in the tree."""
    found = []
    for path in sorted(glob.glob(os.path.join(tree, "nodes", "*", "**", "scripts", "vllm-*.sh"), recursive=True)):
        if path.endswith("-entrypoint.sh"):
            continue
        node = os.path.relpath(path, tree).split(os.sep)[1]
        words = shlex.split(open(path).read().split("docker run", 1)[1].split("\necho ", 1)[0].replace("\\\n", " "))
        environment, mounts = {}, []
        for flag, value in zip(words, words[1:]):
            if flag == "-e":
                name, _, text = value.partition("=")
                environment[name] = text
            elif flag == "-v":
                mounts.append(value)
        entrypoint = open(path[:-3] + "-entrypoint.sh").read()
        served = re.search(r"^exec vllm serve (.*?)\s*\\?$", entrypoint, re.M)
        # A Ray worker loads the head's model from its own cache: any repository the node downloads.
        model = shlex.split(served.group(1))[0] if served else downloaded(tree, node)
        found.append((node, os.path.relpath(path, tree), os.path.basename(path), model, environment, mounts))
    for path in sorted(glob.glob(os.path.join(tree, "nodes", "*", "**", "compose.yaml"), recursive=True)):
        node = os.path.relpath(path, tree).split(os.sep)[1]
        for name, service in (yaml.safe_load(open(path)).get("services") or {}).items():
            if service.get("entrypoint") != ["vllm", "serve"]:
                continue
            environment = {key: str(value) for key, value in (service.get("environment") or {}).items()}
            found.append((node, os.path.relpath(path, tree), name, service["command"][0], environment, service.get("volumes") or []))
    return found


def downloaded(tree, node):
    """The first repository the node's runbook downloads with hf."""
    for path in glob.glob(os.path.join(tree, "nodes", node, "**", "RUNBOOK.md"), recursive=True):
        match = re.search(r"^\S*/hf download (\S+)", open(path).read(), re.M)
        if match:
            return match.group(1)
    return "spark-gen/no-download"


def make_cache(root, repo):
    """The cache `hf download` leaves: refs/main at OLD, its snapshot linking to the blobs."""
    folder = os.path.join(root, "models--" + repo.replace("/", "--"))
    os.makedirs(os.path.join(folder, "blobs"))
    os.makedirs(os.path.join(folder, "refs"))
    os.makedirs(os.path.join(folder, "snapshots", OLD))
    with open(os.path.join(folder, "refs", "main"), "w") as handle:
        handle.write(OLD)
    for name, content in FILES.items():
        blob = hashlib.sha1(content).hexdigest()
        with open(os.path.join(folder, "blobs", blob), "wb") as handle:
            handle.write(content)
        os.symlink(os.path.join("..", "..", "blobs", blob), os.path.join(folder, "snapshots", OLD, name))


def listing(root):
    return sorted((os.path.relpath(os.path.join(base, name), root), os.path.getsize(os.path.join(base, name)))
                  for base, directories, names in os.walk(root) for name in names + directories)


def load(python, hub, home, endpoint, environment, repo):
    """The loader in a private mount namespace where the hub cache is read-only."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HF_HUB_CACHE": hub, "HF_HOME": home, "HF_ENDPOINT": endpoint,
           "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_ETAG_TIMEOUT": "5", "HF_HUB_DOWNLOAD_TIMEOUT": "5"}
    env.update(environment)
    command = (f"mount --bind {shlex.quote(hub)} {shlex.quote(hub)} && mount -o remount,ro,bind {shlex.quote(hub)} && "
               f"exec {shlex.quote(python)} -c {shlex.quote(LOADER)} {shlex.quote(repo)}")
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", command],
                          capture_output=True, text=True, timeout=120, env=env)


def check(python, container, endpoint):
    node, file, name, repo, environment, mounts = container
    hub_mounts = [mount for mount in mounts if ".cache/huggingface" in mount]
    if not hub_mounts or any(not mount.endswith(":ro") or f":{HUB_IN_CONTAINER}:" not in mount for mount in hub_mounts):
        return False, f"hub cache mounts {hub_mounts}: expected one read-only mount at {HUB_IN_CONTAINER}"
    hf_environment = {key: value for key, value in environment.items() if key.startswith(("HF_", "HUGGING"))}
    with tempfile.TemporaryDirectory(prefix="spark-gen-hfcache-") as scratch:
        hub, home = os.path.join(scratch, "hub"), os.path.join(scratch, "home")
        os.makedirs(home)
        make_cache(hub, repo)
        before = listing(hub)
        result = load(python, hub, home, endpoint, hf_environment, repo)
        if result.returncode != 0 or f"snapshots/{OLD}" not in result.stdout:
            return False, f"with {hf_environment} the cached repository did not load:\n{(result.stdout + result.stderr)[-1500:]}"
        if listing(hub) != before:
            return False, "the hub cache changed"
        control = load(python, hub, home, endpoint, {k: v for k, v in hf_environment.items() if k != "HF_HUB_OFFLINE"}, repo)
        if control.returncode == 0 or "Read-only file system" not in control.stderr:
            return False, f"control without HF_HUB_OFFLINE did not fail on the read-only cache (exit {control.returncode}):\n{control.stderr[-800:]}"
    return True, ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--venv-root", default=os.path.expanduser("~/.cache/spark-gen"))
    arguments = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandInHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    failures = checked = 0
    versions = {}
    try:
        for container in containers(arguments.tree):
            node, file, name = container[:3]
            runbooks = glob.glob(os.path.join(arguments.tree, "nodes", node, "**", "RUNBOOK.md"), recursive=True)
            packages = hf_check.pip_packages(open(runbooks[0]).read()) if runbooks else None
            if not packages:
                print(f"FAIL  {file} {name}: the node's runbook installs no huggingface_hub to download with")
                failures += 1
                continue
            python = os.path.join(hf_check.ensure_venv(packages, arguments.venv_root), "bin", "python")
            # Asked once a venv: the containers of a node share one, and each ask is a Python start.
            if python not in versions:
                versions[python] = subprocess.run([python, "-c", "import huggingface_hub; print(huggingface_hub.__version__)"],
                                                  capture_output=True, text=True).stdout.strip()
            version = versions[python]
            ok, detail = check(python, container, endpoint)
            checked += 1
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'}  {file} {name} (huggingface_hub {version}): read-only hub cache, loads offline, control fails"
                  + ("" if ok else f"\n      {detail}"))
    finally:
        server.shutdown()
    print(f"hfcache: {checked - failures} passed, {failures} failed" if checked or failures else "hfcache: no vLLM container")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
