#!/usr/bin/env python3
"""Runs each generated hand-over of a copied secret for real, against a stand-in ssh and sudo.

  handover_check.py --tree OUT_DIR [--node NODE ...]

For every node whose secrets.json lists a copied file (only NODE's, with --node), the shell
block of its RUNBOOK.md step 'Secrets from other nodes' runs unchanged with bash, as the
operator pastes it on the machine that ran `spark-gen build`. On PATH first:

  ssh   a stand-in that logs each call and runs the command with bash "on" the host it names:
        every absolute path under /home, /etc, /opt, /srv or /var in the command is taken
        under a scratch directory of that host (nodes/HOST/...), so no root is needed and
        nothing outside the scratch directory is touched. Options (-t) are ignored; a host
        marked unreachable fails as ssh does (exit 255, "Connection timed out").
  sudo  a stand-in that runs the command as the caller, dropping `install`'s -o and -g
        (the owner and group, which only root may give) after logging them.

The holder's host is the one its runbook's copy step rsyncs to; the source's is secrets.json's
`ssh`. Scenarios, each from a fresh scratch directory:

  step       the runbook has the step, after its 'Firewall' step, and it copies each file
             from the source secrets.json names (ssh USER@HOST cat PATH)
  down       the source is unreachable: the block fails and the holder has neither the file
             nor any temporary file beside it
  empty      the source file is empty: the same
  no value   the source file defines each variable with an empty value: the same
  value      the source file defines each variable: the block succeeds, the holder's file
             holds exactly the source's bytes with the mode secrets.json says (and, for a
             root-owned file, sudo installed it with the owner and group it says), nothing else
             is left beside it, and the value never reached a command line
  again      the block once more with another value at the source: it succeeds and keeps the
             holder's file as it is
  stale      an empty file at the holder (what an earlier runbook's failed copy left): the block
             replaces it with the value

Every run is bounded; the scratch directory is removed also on failure. Prints a line per
check and lastly `handover: N passed, M failed`; exits 1 on a failure, 2 on a usage error.
A tree whose secrets.json files copy nothing gives `handover: 0 passed, 0 failed`.
"""
import argparse
import copy as copy_module
import glob
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

STEP = "Secrets from other nodes"
# A key another owner's gateway minted for this owner (owners.<o>.offers) is copied in a step of
# its own, right before the LiteLLM step, after the offering gateway minted it.
OFFERED_STEP = "Keys offered by other owners"
STEPS = (STEP, OFFERED_STEP)
TIMEOUT = 30

FAKE_SSH = r'''#!/usr/bin/env python3
import json, os, re, subprocess, sys
state = os.environ["HANDOVER_STATE"]
words = sys.argv[1:]
while words and words[0].startswith("-"):
    option = words.pop(0)
    if option in ("-o", "-p", "-i", "-l", "-J", "-F") and words:
        words.pop(0)
if not words:
    print("usage: ssh destination [command]", file=sys.stderr)
    sys.exit(255)
destination, command = words[0], " ".join(words[1:])
host = destination.rpartition("@")[2]
with open(os.path.join(state, "ssh.log"), "a") as log:
    log.write(json.dumps({"destination": destination, "command": command, "argv": sys.argv[1:]}) + "\n")
if os.path.exists(os.path.join(state, "unreachable", host)):
    print(f"ssh: connect to host {host} port 22: Connection timed out", file=sys.stderr)
    sys.exit(255)
if not command:
    print("handover-check: an interactive session is not modeled", file=sys.stderr)
    sys.exit(255)
root = os.path.join(state, "nodes", host)
os.makedirs(root, exist_ok=True)
def under_root(match):
    path = match.group(1)
    return path if path.startswith(state) else root + path
command = re.sub(r"(?<![\w.-])(/(?:home|etc|opt|srv|var)/[^\s'\"]*)", under_root, command)
sys.exit(subprocess.run(["bash", "-c", command], cwd=root).returncode)
'''

FAKE_SUDO = r'''#!/usr/bin/env python3
import json, os, subprocess, sys
state = os.environ["HANDOVER_STATE"]
argv = sys.argv[1:]
with open(os.path.join(state, "sudo.log"), "a") as log:
    log.write(json.dumps(argv) + "\n")
if argv and argv[0] == "install":
    kept, words = [], iter(argv)
    for word in words:
        if word in ("-o", "-g"):
            next(words, None)
        else:
            kept.append(word)
    argv = kept
sys.exit(subprocess.run(argv).returncode)
'''


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, label, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'}  {label}")
        if not ok and detail:
            print("      " + detail.strip().replace("\n", "\n      "))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def sections(runbook):
    """Each numbered step of a runbook: (number, title, shell blocks)."""
    found = []
    for match in re.finditer(r"^## (\d+)\. (.*)$", runbook, re.M):
        found.append([int(match.group(1)), match.group(2).strip(), match.end()])
    steps = []
    for index, (number, title, start) in enumerate(found):
        end = found[index + 1][2] if index + 1 < len(found) else len(runbook)
        body = runbook[start:end]
        steps.append((number, title, re.findall(r"^```sh\n(.*?)^```$", body, re.S | re.M)))
    return steps


class Holder:
    """A node that copies secrets: its runbook's step and what secrets.json says."""

    def __init__(self, tree, manifest_path):
        self.manifest = json.load(open(manifest_path))
        self.node = self.manifest["node"]
        self.copies = [f for f in self.manifest["files"] if f["source"]["kind"] == "copied"]
        self.runbook = open(os.path.join(os.path.dirname(manifest_path), "RUNBOOK.md")).read()
        rsync = re.search(rf"^rsync -a nodes/{re.escape(self.node)}/\S* (\S+?):", self.runbook, re.M)
        self.target = rsync.group(1) if rsync else None


class Scratch:
    def __init__(self):
        self.state = tempfile.mkdtemp(prefix="spark-gen-handover-")
        self.bin = os.path.join(self.state, "bin")
        os.makedirs(os.path.join(self.state, "unreachable"))
        os.makedirs(self.bin)
        for name, text in (("ssh", FAKE_SSH), ("sudo", FAKE_SUDO)):
            path = os.path.join(self.bin, name)
            with open(path, "w") as handle:
                # This Python without site (-S: the standard library is all they need), not
                # whatever `env python3` finds first (pyenv's shim, a bash script, on the project's machine).
                handle.write(text.replace("#!/usr/bin/env python3", f"#!{sys.executable} -S", 1))
            os.chmod(path, 0o755)

    def on(self, host, path):
        return os.path.join(self.state, "nodes", host) + path

    def put(self, host, path, data):
        full = self.on(host, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as handle:
            handle.write(data)
        os.chmod(full, 0o600)

    def run(self, block):
        environment = dict(os.environ, PATH=self.bin + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
                           HANDOVER_STATE=self.state)
        try:
            return subprocess.run(["bash", "-c", block], capture_output=True, text=True, timeout=TIMEOUT,
                                  env=environment, stdin=subprocess.DEVNULL, cwd=self.state)
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(block, 124, "", f"timed out after {TIMEOUT} s")

    def log(self, name):
        path = os.path.join(self.state, name)
        return [json.loads(line) for line in open(path)] if os.path.exists(path) else []

    def remove(self):
        shutil.rmtree(self.state, ignore_errors=True)


def host_of(target):
    return target.rpartition("@")[2]


def leftovers(scratch, host, path):
    """Files beside `path` on `host` that start with its name (the target and temporary files)."""
    directory = os.path.dirname(scratch.on(host, path))
    name = os.path.basename(path)
    return sorted(entry for entry in (os.listdir(directory) if os.path.isdir(directory) else []) if entry.startswith(name))


def value_of(copy, marker):
    return "".join(f"{variable}={marker}-{index}\n" for index, variable in enumerate(copy["variables"])).encode()


def check_holder(holder, results):
    """Each hand-over step of the holder with the copies it hands over; every copy in one."""
    steps = sections(holder.runbook)
    found = [s for s in steps if s[1] in STEPS and s[2]]
    if not results.check(f"{holder.node}: RUNBOOK.md has the step '{STEP}' or '{OFFERED_STEP}'", bool(found),
                         f"secrets.json copies {', '.join(c['path'] for c in holder.copies)} but no step hands it over"):
        return
    blocks = {s[1]: "\n".join(s[2]) for s in found}
    for copy in holder.copies:
        cat = re.compile(rf"ssh {re.escape(copy['source']['ssh'])} cat {re.escape(copy['source']['path'])}(\s|$)")
        results.check(f"{holder.node}: a hand-over step copies {copy['path']}", any(cat.search(b) for b in blocks.values()),
                       "\n".join(blocks.values()))
    for title in blocks:
        part = copy_module.copy(holder)
        part.copies = [c for c in holder.copies if f"cat {c['source']['path']}" in blocks[title]]
        if part.copies:
            check_step(part, results, title)


def check_step(holder, results, title):
    label = holder.node if title == STEP else f"{holder.node} '{title}'"
    steps = sections(holder.runbook)
    step = next((s for s in steps if s[1] == title), None)
    firewall = next((s for s in steps if s[1] == "Firewall"), None)
    results.check(f"{label}: '{title}' (step {step[0]}) comes after 'Firewall'", firewall is not None and step[0] > firewall[0],
                  f"Firewall is step {firewall[0] if firewall else '(none)'}")
    block = "\n".join(step[2])
    if not results.check(f"{label}: the copy step's ssh target is known", holder.target is not None, "no rsync line in the copy step"):
        return
    for copy in holder.copies:
        source = copy["source"]
        results.check(f"{label}: {copy['path']} comes from {source['ssh']}:{source['path']}",
                      re.search(rf"ssh {re.escape(source['ssh'])} cat {re.escape(source['path'])}(\s|$)", block) is not None,
                      block)
    target_host = host_of(holder.target)

    def scenario(name, prepare, expect_ok):
        scratch = Scratch()
        try:
            for copy in holder.copies:
                # The holder's home exists, as on a node set up this far.
                os.makedirs(os.path.dirname(scratch.on(target_host, copy["path"])), exist_ok=True)
                prepare(scratch, copy)
            done = scratch.run(block)
            transcript = f"exit {done.returncode}\n{done.stdout}{done.stderr}"
            if expect_ok is False:
                results.check(f"{label} {name}: the step fails", done.returncode != 0, transcript)
                for copy in holder.copies:
                    left = leftovers(scratch, target_host, copy["path"])
                    results.check(f"{label} {name}: nothing left beside {copy['path']}", not left,
                                  f"left: {left}")
                return scratch, done
            results.check(f"{label} {name}: the step succeeds", done.returncode == 0, transcript)
            return scratch, done
        except BaseException:
            scratch.remove()
            raise

    def source(data_for):
        def prepare(scratch, copy):
            data = data_for(copy)
            if data is not None:
                scratch.put(host_of(copy["source"]["ssh"]), copy["source"]["path"], data)
            return data
        return prepare

    # down: the source does not answer.
    def down(scratch, copy):
        scratch.put(host_of(copy["source"]["ssh"]), copy["source"]["path"], value_of(copy, "unreached"))
        open(os.path.join(scratch.state, "unreachable", host_of(copy["source"]["ssh"])), "w").close()
    for name, prepare in (("down", down), ("empty", source(lambda copy: b"")),
                          ("no value", source(lambda copy: "".join(f"{v}=\n" for v in copy["variables"]).encode()))):
        scratch, _ = scenario(name, prepare, False)
        scratch.remove()

    # value, then again, in one scratch directory.
    scratch, done = scenario("value", source(lambda copy: value_of(copy, "first")), True)
    try:
        for copy in holder.copies:
            path = scratch.on(target_host, copy["path"])
            want = value_of(copy, "first")
            got = open(path, "rb").read() if os.path.exists(path) else None
            results.check(f"{label} value: {copy['path']} holds the source's bytes", got == want, f"got {got!r}")
            mode = f"{stat.S_IMODE(os.stat(path).st_mode):04o}" if os.path.exists(path) else None
            results.check(f"{label} value: {copy['path']} has mode {copy['mode']}", mode == copy["mode"], f"mode {mode}")
            left = leftovers(scratch, target_host, copy["path"])
            results.check(f"{label} value: nothing but {copy['path']} left beside it", left == [os.path.basename(copy["path"])],
                          f"left: {left}")
            if copy["owner"].startswith("root:"):
                user, group = copy["owner"].split(":")
                installs = [argv for argv in scratch.log("sudo.log") if argv[:1] == ["install"] and argv[-1].endswith(copy["path"])]
                ok = any(" ".join(argv).find(f"-o {user} -g {group}") >= 0 for argv in installs)
                results.check(f"{label} value: sudo installs {copy['path']} as {copy['owner']}", ok, f"sudo calls: {installs}")
        calls = scratch.log("ssh.log")
        leaked = [call for call in calls if "first-" in " ".join(call["argv"])]
        results.check(f"{label} value: the value is on no command line", not leaked, f"{leaked}")
        # again: another value at the source, the holder's file stays.
        for copy in holder.copies:
            scratch.put(host_of(copy["source"]["ssh"]), copy["source"]["path"], value_of(copy, "second"))
        again = scratch.run(block)
        results.check(f"{label} again: the step succeeds", again.returncode == 0, f"exit {again.returncode}\n{again.stderr}")
        for copy in holder.copies:
            path = scratch.on(target_host, copy["path"])
            got = open(path, "rb").read() if os.path.exists(path) else None
            results.check(f"{label} again: {copy['path']} is kept", got == value_of(copy, "first"), f"got {got!r}")
    finally:
        scratch.remove()

    # stale: an empty file at the holder, as the old runbook's failed copy left it.
    def stale(scratch, copy):
        scratch.put(target_host, copy["path"], b"")
        scratch.put(host_of(copy["source"]["ssh"]), copy["source"]["path"], value_of(copy, "fresh"))
    scratch, done = scenario("stale", stale, True)
    try:
        for copy in holder.copies:
            path = scratch.on(target_host, copy["path"])
            got = open(path, "rb").read() if os.path.exists(path) else None
            results.check(f"{label} stale: the empty {copy['path']} is replaced", got == value_of(copy, "fresh"), f"got {got!r}")
    finally:
        scratch.remove()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True, help="output directory of `spark-gen build`")
    parser.add_argument("--node", action="append", help="only this node (repeatable)")
    arguments = parser.parse_args()
    if not os.path.isdir(os.path.join(arguments.tree, "nodes")):
        parser.error(f"{arguments.tree} is no spark-gen output (no nodes/)")
    results = Results()
    for manifest in sorted(glob.glob(os.path.join(arguments.tree, "nodes", "*", "**", "secrets.json"), recursive=True)):
        holder = Holder(arguments.tree, manifest)
        if not holder.copies or (arguments.node and holder.node not in arguments.node):
            continue
        print(f"== {holder.node}: {', '.join(c['path'] for c in holder.copies)}")
        check_holder(holder, results)
    print(f"handover: {results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
