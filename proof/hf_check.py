#!/usr/bin/env python3
"""Every `hf download` line of a tree's runbooks, read by the real Hugging Face CLI.

  hf_check.py --tree TREE_DIR [--venv-root DIR]

For each RUNBOOK.md it takes the node's `pip3 install` line (the packages the runbook
installs, which decide which huggingface_hub pip resolves: LiteLLM's dependencies cap it),
installs those packages that decide the CLI's version (huggingface_hub[cli] and a pinned
litellm) into a venv of their own (under --venv-root, default ~/.cache/spark-gen:
hf-venv-<hash>, reused once complete), then runs each `hf download` line of the runbook's shell blocks through that
venv's `hf` with the download functions replaced by recorders: nothing touches the network.

A line passes when the CLI exits 0 and hands the download exactly what the line says: the
repository, the files or --include glob, every --exclude pattern (an older CLI that keeps
only the last one fails here), the --revision and the --local-dir. Prints one line per download and exits
1 when any fails.
"""
import argparse
import fcntl
import glob
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

# Runs inside the venv: the CLI parses each line; the recorders print what it would download.
# One Python for every line of a runbook (and its version): each start imported the CLI again.
RECORDER = r"""
import json, sys
import huggingface_hub
import huggingface_hub.cli.download as download
print("VERSION " + huggingface_hub.__version__)
calls = []
def snapshot(**kwargs):
    calls.append({"kind": "snapshot", **{k: kwargs.get(k) for k in ("repo_id", "allow_patterns", "ignore_patterns", "local_dir", "revision")}})
    return "/nonexistent"
def single(**kwargs):
    calls.append({"kind": "file", **{k: kwargs.get(k) for k in ("repo_id", "filename", "local_dir", "revision")}})
    return "/nonexistent"
download.snapshot_download = snapshot
download.hf_hub_download = single
from huggingface_hub.cli.hf import main
for index, arguments in enumerate(json.loads(sys.argv[1])):
    calls.clear()
    sys.argv = ["hf"] + arguments
    code = 0
    try:
        main()
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    except Exception as error:  # a line the CLI chokes on fails alone
        print(f"line {index}: {error!r}", file=sys.stderr)
        code = 1
    print("RECORDED " + json.dumps({"index": index, "code": code, "calls": list(calls)}), flush=True)
"""


def pip_packages(runbook):
    """The packages of the runbook's `pip3 install` line that decide the CLI's version."""
    # Indented: the line sits in the runbook's `if` on PEP 668 (both branches list the same packages).
    match = re.search(r"^\s*pip3 install (.*)$", runbook, re.M)
    if not match:
        return None
    words = [word for word in shlex.split(match.group(1)) if not word.startswith("-")]
    return [word.replace("[proxy]", "") for word in words if word.startswith(("huggingface_hub", "litellm"))]


def ensure_venv(packages, root):
    key = hashlib.sha256("\n".join(packages).encode()).hexdigest()[:12]
    venv = os.path.join(root, f"hf-venv-{key}")
    marker = os.path.join(venv, ".spark-gen-requirements")
    wanted = "\n".join(packages) + "\n"
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, f".hf-venv-{key}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isfile(marker) and open(marker).read() == wanted:
            return venv
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
        result = subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--quiet", *packages],
                                capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            raise RuntimeError(f"pip install {' '.join(packages)} failed:\n{result.stdout}{result.stderr}")
        with open(marker, "w") as handle:
            handle.write(wanted)
    return venv


def expected(words):
    """What the line means to a reader: the repository, the files named before any flag, and
    every pattern after --include or --exclude up to the next flag (`--exclude a b` reads as
    two patterns, whatever one CLI or another makes of it), and the folder."""
    want = {"repo_id": words[0], "files": [], "include": [], "exclude": [], "local_dir": None, "revision": None}
    flag = None
    for word in words[1:]:
        if word.startswith("--"):
            flag = word
        elif flag in ("--local-dir", "--revision"):
            want[flag[2:].replace("-", "_")] = word
            flag = None
        elif flag in ("--include", "--exclude"):
            want[flag[2:]].append(word)
        elif flag is None:
            want["files"].append(word)
    return want


def record(venv, lines):
    """(huggingface_hub's version, [(recorded or None, the run's output)]) of the lines, one Python."""
    arguments = [shlex.split(line, comments=True)[1:] for line in lines]  # drop the path of hf
    result = subprocess.run([os.path.join(venv, "bin", "python"), "-c", RECORDER, json.dumps(arguments)],
                            capture_output=True, text=True, timeout=120 * len(lines))
    version = next((l[8:] for l in result.stdout.splitlines() if l.startswith("VERSION ")), "?")
    recorded = {}
    for l in result.stdout.splitlines():
        if l.startswith("RECORDED "):
            entry = json.loads(l[9:])
            recorded[entry["index"]] = entry
    return version, [(recorded.get(index), result) for index in range(len(lines))]


def check_line(line, recorded, result):
    arguments = shlex.split(line, comments=True)[1:]
    if recorded is None:
        return False, (result.stdout + result.stderr).strip()[-2000:]
    want = expected(arguments[1:])
    if recorded["code"] != 0 or len(recorded["calls"]) != 1:
        return False, f"exit {recorded['code']}, downloads {recorded['calls']}: {result.stderr.strip()[-500:]}"
    call = recorded["calls"][0]
    problems = []
    if call["repo_id"] != want["repo_id"]:
        problems.append(f"repository {call['repo_id']!r}, the line names {want['repo_id']!r}")
    # The snapshot the server is told to read (vLLM's --revision) is the one this fetches.
    if call.get("revision") != want["revision"]:
        problems.append(f"revision {call.get('revision')!r}, the line names {want['revision']!r}")
    if call.get("local_dir") != want["local_dir"]:
        problems.append(f"folder {call.get('local_dir')!r}, the line names {want['local_dir']!r}")
    if want["files"]:
        if call["kind"] != "file" or [call["filename"]] != want["files"]:
            problems.append(f"fetches {call}, the line names the file {want['files']}")
    else:
        if call["kind"] != "snapshot":
            problems.append(f"fetches {call}, the line names a repository")
        if (call.get("allow_patterns") or []) != want["include"]:
            problems.append(f"include {call.get('allow_patterns')}, the line names {want['include']}")
        if (call.get("ignore_patterns") or []) != want["exclude"]:
            problems.append(f"exclude {call.get('ignore_patterns')}, the line names {want['exclude']}")
    return not problems, "; ".join(problems)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--venv-root", default=os.path.expanduser("~/.cache/spark-gen"))
    arguments = parser.parse_args()
    failures = checked = 0
    for path in sorted(glob.glob(os.path.join(arguments.tree, "**", "RUNBOOK.md"), recursive=True)):
        runbook = open(path).read()
        blocks = "\n".join(re.findall(r"^```sh\n(.*?)^```$", runbook, re.S | re.M))
        lines = [line for line in blocks.splitlines() if re.match(r"^\S*/hf download ", line)]
        if not lines:
            continue
        packages = pip_packages(runbook)
        relative = os.path.relpath(path, arguments.tree)
        if not packages or not any(p.startswith("huggingface_hub") for p in packages):
            print(f"FAIL  {relative}: downloads with hf but its pip3 install line installs no huggingface_hub")
            failures += 1
            continue
        venv = ensure_venv(packages, arguments.venv_root)
        version, records = record(venv, lines)
        for line, (recorded, result) in zip(lines, records):
            ok, detail = check_line(line, recorded, result)
            checked += 1
            failures += not ok
            shown = line.split("   #")[0]
            print(f"{'ok  ' if ok else 'FAIL'}  {relative} (huggingface_hub {version}): {shown}" + ("" if ok else f"\n      {detail}"))
    print(f"hf: {checked - failures} passed, {failures} failed" if checked else "hf: no hf download line")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
