#!/usr/bin/env python3
"""Proves a gateway offer (owners.<o>.offers): the key the offering runbook mints, and what it allows.

  offer_check.py --tree OUT_DIR [--venv DIR]

For every node whose secrets.json has a virtual key with `models` (a key offered to another
owner), and every node that copies that file (the other owner's gateways):

  mint     the offering RUNBOOK.md's virtual keys block runs unchanged with bash, as root in a
           private mount and network namespace (a tmpfs on /home holds the node's env files,
           made with test values as its secrets step makes them; lo is the only interface),
           against a stand-in of LiteLLM's POST /key/generate on the address and port the
           block calls. The stand-in parses the request body with LiteLLM's own
           GenerateKeyRequest (litellm.proxy._types, from the pinned PyPI release) and answers
           as LiteLLM does ({"key": ...}). Checks: the block succeeds; the request carried the
           master key of the node's env file as a Bearer token; the body's models are exactly
           secrets.json's, and exactly the models each receiving LiteLLM routes to this gateway;
           the file holds VARIABLE=<the answered key>, mode 0600; neither the master key nor the
           minted key is on any command line of the block (strace -f -e trace=execve); a
           second run keeps the file and asks for no key.
  allowed  LiteLLM's own check of what a key may call (proxy/auth/auth_checks.py
           can_key_call_model, with a Router of the offering gateway's model_list) takes each
           offered model for a key with the body's models, and refuses every other model the
           offering gateway routes (ModelAccessDeniedProxyException, HTTP 403).
  receiver each receiving gateway's litellm-config.yaml routes each offered model to the
           offering gateway's address with api_key os.environ/VARIABLE, and its LiteLLM loads
           the copied file (systemd EnvironmentFile= or compose env_file).

A real LiteLLM with a database cannot run here: its Prisma client needs engines downloaded
from binaries.prisma.sh (see DATABASE_VARIABLES in litellm_proof/keys.py), so /key/generate is
proven on its request model and the key's reach on LiteLLM's own access check. The
receiving gateway's config is proven with the real proxy by litellm_check.py.

Prints a line per check and lastly `offer: N passed, M failed`; exits 1 on a failure.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from handover_check import Results, sections  # noqa: E402
from litellm_check import ensure_venv  # noqa: E402

TIMEOUT = 900
STUB_READY = 600   # seconds the stand-in may take to import LiteLLM and listen
MASTER = "sk-offer-check-master-0123456789abcdef"
MINTED = "sk-offer-check-minted-fedcba9876543210"

# The stand-in of LiteLLM's /key/generate, run with the venv's python inside the namespace.
STUB = r'''
import json, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from litellm.proxy._types import GenerateKeyRequest
host, port, log, minted, access = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        entry = {"path": self.path, "authorization": self.headers.get("Authorization"), "body": body.decode("utf-8", "replace")}
        try:
            request = GenerateKeyRequest(**json.loads(body))
            entry["parsed_models"] = request.models
            entry["key_alias"] = request.key_alias
            status, answer = 200, {"key": minted, "models": request.models, "key_alias": request.key_alias}
        except Exception as error:
            entry["error"] = repr(error)
            status, answer = 422, {"error": repr(error)}
        with open(log, "a") as handle:
            handle.write(json.dumps(entry) + "\n")
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
server = HTTPServer((host, port), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
open(log + ".ready", "w").close()
# Then, once the block has run, LiteLLM's access check (ACCESS) in this same Python: its spec
# is a line on stdin, and LiteLLM is imported once for both.
line = sys.stdin.readline()
if line:
    sys.argv[1:] = [line]
    exec(compile(access, "<ACCESS>", "exec"), {"__name__": "__access__"})
'''

# Run inside `unshare --mount --net`: lo up, a tmpfs on /home, the env files, the stand-in,
# the block twice under strace. Prints one JSON object.
INSIDE = r'''
import json, os, subprocess, sys, time
spec = json.loads(sys.argv[1])
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/home"], check=True)
for path, text in spec["files"].items():
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
stub_err = open(f"{spec['scratch']}/stub.err", "w+")
stub = subprocess.Popen([spec["python"], "-c", spec["stub"], spec["host"], str(spec["port"]), spec["log"], spec["minted"],
                         spec["access_code"]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stub_err, text=True)
try:
    # Importing LiteLLM takes minutes on a busy machine: the stand-in says when it listens.
    deadline = time.monotonic() + spec["ready_within"]
    while time.monotonic() < deadline and stub.poll() is None and not os.path.exists(spec["log"] + ".ready"):
        time.sleep(0.2)
    runs = []
    for attempt in (1, 2):
        trace = f"{spec['scratch']}/strace-{attempt}.log"
        done = subprocess.run(["strace", "-f", "-s", "4096", "-e", "trace=execve", "-o", trace, "bash", "-c", spec["block"]],
                              capture_output=True, text=True, timeout=60)
        runs.append({"exit": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                     "trace": open(trace).read() if os.path.exists(trace) else ""})
        if attempt == 1:
            target = spec["target"]
            runs[-1]["file"] = open(target).read() if os.path.exists(target) else None
            runs[-1]["mode"] = oct(os.stat(target).st_mode & 0o777) if os.path.exists(target) else None
    # The access check of the key the block asked for (the first request's models, else the offer's).
    logged = [json.loads(line) for line in open(spec["log"])] if os.path.exists(spec["log"]) else []
    access = dict(spec["access"], models=(logged[0].get("parsed_models") if logged else None) or spec["access"]["models"])
    try:
        out, _ = stub.communicate(json.dumps(access) + "\n", timeout=spec["ready_within"])
        code = stub.returncode
    except subprocess.TimeoutExpired:
        out, code = "", None
    stub_err.seek(0)
    print(json.dumps({"runs": runs, "access": {"returncode": code, "stdout": out, "stderr": stub_err.read()}}))
finally:
    stub.kill()
    stub_err.seek(0)
    sys.stderr.write(stub_err.read())
'''

# LiteLLM's own access check, with the venv's python: a key limited to `models` against a
# Router of the offering gateway's model_list.
ACCESS = r'''
import asyncio, json, sys
import litellm
from litellm.proxy._types import UserAPIKeyAuth
from litellm.proxy.auth.auth_checks import can_key_call_model
spec = json.loads(sys.argv[1])
router = litellm.Router(model_list=spec["model_list"])
token = UserAPIKeyAuth(api_key="sk-offer", models=spec["models"])
answers = {}
for name in spec["ask"]:
    try:
        asyncio.run(can_key_call_model(model=name, llm_model_list=spec["model_list"], valid_token=token, llm_router=router))
        answers[name] = "allowed"
    except Exception as error:
        answers[name] = f"refused: {type(error).__name__}: {str(error)[:160]}"
print(json.dumps(answers))
'''


def manifest(path):
    data = json.load(open(path))
    return data["node"], data, os.path.dirname(path)


def test_values(entry):
    """An env file's text with test values, as the secrets step would make it."""
    lines = []
    for variable in entry["variables"]:
        value = MASTER if variable == "LITELLM_MASTER_KEY" else f"test-{variable.lower()}"
        lines.append(f"{variable}={value}")
    return "\n".join(lines) + "\n"


def mint_block(runbook, path):
    """The shell block of the virtual keys step and the snippet in it that writes `path`."""
    for _, title, blocks in sections(runbook):
        if title.startswith("Virtual keys"):
            for block in blocks:
                for snippet in re.split(r"\n(?=\[ -e )", block):
                    if snippet.startswith(f"[ -e {path} ]"):
                        return title, snippet
    return None, None


def config_of(stack):
    return yaml.safe_load(open(os.path.join(stack, "litellm-config.yaml")))


def loads(tree, node, stack, path):
    """Whether the receiving node's LiteLLM launcher loads `path`."""
    units = glob.glob(os.path.join(tree, "nodes", node, "etc", "systemd", "system", "litellm.service*"), recursive=False)
    texts = []
    for unit in units:
        texts += [open(f).read() for f in ([unit] if os.path.isfile(unit) else glob.glob(os.path.join(unit, "*")))]
    if any(f"EnvironmentFile={path}" in text for text in texts):
        return True
    compose = os.path.join(stack, "compose.yaml")
    if os.path.exists(compose):
        service = (yaml.safe_load(open(compose)).get("services") or {}).get("litellm") or {}
        files = service.get("env_file") or []
        return path in [f if isinstance(f, str) else f.get("path") for f in files]
    return False


def check_offer(tree, venv, gateway, stack, entry, receivers, results):
    label = f"{gateway} {entry['path']}"
    offered = entry["source"]["models"]
    variable = entry["variables"][0]
    runbook = open(os.path.join(stack, "RUNBOOK.md")).read()
    title, block = mint_block(runbook, entry["path"])
    if not results.check(f"{label}: RUNBOOK.md's virtual keys step mints it", block is not None, "no '[ -e PATH ] || …' snippet"):
        return
    url = re.search(r"curl -fsS (http://([0-9.]+):(\d+))/key/generate", block)
    if not results.check(f"{label}: the block calls /key/generate", url is not None, block):
        return
    gateway_manifest = json.load(open(os.path.join(stack, "secrets.json")))
    files = {f["path"]: test_values(f) for f in gateway_manifest["files"]
             if f["source"]["kind"] == "generated" and f["path"] != entry["path"]}
    # What LiteLLM itself lets a key with these models call on the offering gateway: asked of
    # the stand-in's Python once the block has run (LiteLLM imported once, not twice).
    model_list = config_of(stack)["model_list"]
    routed = [m["model_name"] for m in model_list]
    ask = routed + ["an-unknown-model"]
    scratch = tempfile.mkdtemp(prefix="offer-check-")
    try:
        spec = {"python": os.path.join(venv, "bin", "python"), "stub": STUB, "host": url.group(2), "port": int(url.group(3)),
                "log": os.path.join(scratch, "requests.log"), "minted": MINTED, "files": files, "block": block,
                "target": entry["path"], "scratch": scratch, "ready_within": STUB_READY, "access_code": ACCESS,
                "access": {"model_list": model_list, "models": offered, "ask": ask}}
        done = subprocess.run(["unshare", "--mount", "--net", "--fork", sys.executable, "-c", INSIDE, json.dumps(spec)],
                              capture_output=True, text=True, timeout=TIMEOUT)
        if not results.check(f"{label}: the namespace run completes", done.returncode == 0 and done.stdout.strip(),
                             f"exit {done.returncode}\n{done.stderr[-2000:]}"):
            return
        inside = json.loads(done.stdout.strip().splitlines()[-1])
        runs, access = inside["runs"], inside["access"]
        requests = [json.loads(line) for line in open(spec["log"])] if os.path.exists(spec["log"]) else []
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    first, second = runs
    results.check(f"{label} mint: the block succeeds", first["exit"] == 0, f"exit {first['exit']}\n{first['stderr']}")
    results.check(f"{label} mint: one request to /key/generate", len(requests) == 1 and requests[0]["path"] == "/key/generate",
                  f"{requests}")
    request = requests[0] if requests else {}
    results.check(f"{label} mint: it carries the master key as a Bearer token", request.get("authorization") == f"Bearer {MASTER}",
                  f"Authorization: {request.get('authorization')!r}")
    results.check(f"{label} mint: LiteLLM's GenerateKeyRequest takes the body", "error" not in request and "parsed_models" in request,
                  request.get("error", request.get("body")))
    results.check(f"{label} mint: the key is limited to the offered models {offered}", request.get("parsed_models") == offered,
                  f"body models {request.get('parsed_models')}")
    results.check(f"{label} mint: the file holds {variable}=<the minted key>, mode 0600",
                  first.get("file") == f"{variable}={MINTED}\n" and first.get("mode") == "0o600",
                  f"file {first.get('file')!r}, mode {first.get('mode')}")
    leaked = [line for run in runs for line in run["trace"].splitlines() if MASTER in line or MINTED in line]
    results.check(f"{label} mint: neither key is on a command line", not leaked, "\n".join(leaked[:5]))
    results.check(f"{label} again: a second run keeps the file and asks for no key", second["exit"] == 0 and len(requests) == 1,
                  f"exit {second['exit']}, {len(requests)} request(s)")

    if results.check(f"{label} allowed: LiteLLM's can_key_call_model runs", access["returncode"] == 0 and access["stdout"].strip(),
                     access["stderr"][-2000:]):
        answers = json.loads(access["stdout"].strip().splitlines()[-1])
        for name in ask:
            want = name in offered
            results.check(f"{label} allowed: the key {'may' if want else 'may not'} call {name}",
                          (answers[name] == "allowed") == want, answers[name])

    for receiver, receiver_stack, copy in receivers:
        config = config_of(receiver_stack)
        routes = {m["model_name"]: m["litellm_params"] for m in config["model_list"]}
        through = sorted(name for name, params in routes.items() if params.get("api_key") == f"os.environ/{copy['variables'][0]}")
        results.check(f"{receiver} receiver: its LiteLLM routes exactly the offered models with the key", through == sorted(offered),
                      f"routed with os.environ/{copy['variables'][0]}: {through}")
        for name in offered:
            params = routes.get(name, {})
            base = params.get("api_base", "")
            results.check(f"{receiver} receiver: {name} goes to the offering LiteLLM on {gateway}",
                          re.match(r"http://[^/]+:\d+/v1$", base) is not None and base.split(":")[2].split("/")[0] == url.group(3),
                          f"api_base {base!r}, the gateway's port {url.group(3)}")
        results.check(f"{receiver} receiver: its LiteLLM loads {copy['path']}", loads(tree, receiver, receiver_stack, copy["path"]),
                      "no EnvironmentFile= or env_file for it")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True, help="output directory of `spark-gen build`")
    parser.add_argument("--venv", default=os.path.expanduser("~/.cache/spark-gen/litellm-venv"))
    arguments = parser.parse_args()
    manifests = [manifest(p) for p in sorted(glob.glob(os.path.join(arguments.tree, "nodes", "*", "**", "secrets.json"), recursive=True))]
    results = Results()
    offers = [(node, stack, entry) for node, data, stack in manifests for entry in data["files"]
              if entry["source"]["kind"] == "virtual-key" and "models" in entry["source"]]
    if offers:
        ensure_venv(arguments.venv)
    for node, stack, entry in offers:
        receivers = [(other, other_stack, f) for other, data, other_stack in manifests for f in data["files"]
                     if f["source"]["kind"] == "copied" and f["source"]["node"] == node and f["source"]["path"] == entry["path"]]
        print(f"== {node}: {entry['path']} for {', '.join(r[0] for r in receivers) or 'nobody'}")
        results.check(f"{node} {entry['path']}: another owner's gateway copies it", bool(receivers), "no secrets.json copies it")
        check_offer(arguments.tree, arguments.venv, node, stack, entry, receivers, results)
    print(f"offer: {results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
