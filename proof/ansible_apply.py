#!/usr/bin/env python3
"""Applies a tree's ansible/site.yml for real to one node, isolated from this machine.

  ansible_apply.py --tree TREE_DIR --node NODE [--venv DIR]

The node is this machine inside its own mount and network namespaces (`unshare -m -n`, private
propagation): tmpfs over /home and /etc/systemd/system, copies of /etc/passwd and /etc/group
that add the node's user, the node's LAN address on its loopback, and a stand-in for
ufw (bind-mounted over it; it logs its arguments) so firewall.sh runs without touching a real
firewall. ansible-playbook reaches the node with the `local` connection and as root
(`ansible_become=false`): there is no sshd in the namespace yet, so the ssh leg is not proven
here. What runs is not stubbed otherwise: ansible-core's copy, file, shell, command, stat and
assert on the namespace's files.

Tags applied: files, secrets, firewall. Not applied, and why: prereqs (usermod renames
/etc/group, a bind mount here), services and verify (no systemd, no docker in the namespace).

Checks, in order:
  1. the first apply changes files and makes the node's generated secrets; every file has the
     tree's mode and owner;
  2. a second apply reports changed=0;
  3. drift.sh exits 0; after one file is changed on the node it exits 1 and names exactly
     that node and file;
  4. with one generated secret removed and --tags secrets,services --skip-tags ... the assert
     ... (the secrets play) fails naming the secret's path, and no secret value is printed.
Exits 1 naming the first check that failed.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import ansible_check

HERE = os.path.dirname(os.path.abspath(__file__))


def inside(arguments):
    """Runs in the new namespaces: set the node up, then the checks."""
    scratch = arguments.scratch
    tree = os.path.join(scratch, "tree")
    ansible = os.path.join(tree, "ansible")
    manifest = json.load(open(os.path.join(scratch, "node.json")))
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    for path in ("/home", "/etc/systemd/system"):
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", path], check=True)
    user, uid, gid, home = manifest["user"], manifest["uid"], manifest["gid"], manifest["home"]
    for name, line in (("passwd", f"{user}:x:{uid}:{gid}::{home}:/bin/bash\n"), ("group", f"{user}:x:{gid}:\n")):
        copy = os.path.join(scratch, name)
        with open(copy, "w") as handle:
            handle.write(open(f"/etc/{name}").read() + line)
        subprocess.run(["mount", "--bind", copy, f"/etc/{name}"], check=True)
    os.makedirs(home, exist_ok=True)
    os.chown(home, uid, gid)
    ufw_log = os.path.join(scratch, "ufw.log")
    stub = os.path.join(scratch, "ufw")
    with open(stub, "w") as handle:
        handle.write(f"#!/bin/sh\necho \"ufw $*\" >> {ufw_log}\n")
    os.chmod(stub, 0o755)
    ufw = shutil.which("ufw") or "/usr/sbin/ufw"
    if os.path.exists(ufw):
        subprocess.run(["mount", "--bind", stub, ufw], check=True)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    if manifest.get("address"):
        # On lo: firewall.sh only asks that some interface of the machine has the address.
        subprocess.run(["ip", "addr", "add", manifest["address"] + "/24", "dev", "lo"], check=True)

    node = arguments.node
    extra = ["-l", node, "-e", "ansible_connection=local", "-e", "ansible_become=false",
             "-e", f"ansible_python_interpreter={sys.executable}"]

    def playbook(*more):
        return ansible_check.run(arguments.venv, ["ansible-playbook", "-i", "inventory.yml", "site.yml", *extra, *more],
                                 ansible, {"HOME": scratch})

    def recap(result):
        match = re.search(rf"^{re.escape(node)}\s*:.*?changed=(\d+).*?failed=(\d+)", result.stdout, re.M)
        return (int(match.group(1)), int(match.group(2))) if match else (None, None)

    first = playbook("--tags", "files,secrets,firewall")
    changed, failed = recap(first)
    if first.returncode != 0 or not changed:
        return fail("first apply", first)
    for path, mode, owner in manifest["files"]:
        status = os.stat(path)
        actual = (f"{status.st_mode & 0o7777:04o}", "root" if status.st_uid == 0 else user)
        if actual != (mode, owner):
            print(f"FAIL mode/owner: {path} is {actual}, the tree says {(mode, owner)}")
            return 1
    for secret in manifest["generated"]:
        if not os.path.isfile(secret) or os.path.getsize(secret) == 0:
            print(f"FAIL secrets: {secret} was not made")
            return 1
    print(f"ok   first apply: changed={changed}, {len(manifest['files'])} files with their modes and owners, "
          f"{len(manifest['generated'])} secrets made, firewall.sh ran ({sum(1 for _ in open(ufw_log)) if os.path.exists(ufw_log) else 0} ufw calls)")

    second = playbook("--tags", "files,secrets,firewall")
    changed, failed = recap(second)
    if second.returncode != 0 or changed != 0:
        return fail(f"second apply (changed={changed})", second)
    print("ok   second apply: changed=0")

    drift_env = {"HOME": scratch, "PATH": os.path.join(arguments.venv, "bin") + os.pathsep + os.environ["PATH"],
                 "PYTHONWARNINGS": "ignore", "ANSIBLE_LOCAL_TEMP": os.path.join(scratch, ".ansible-tmp")}

    def drift():
        return subprocess.run(["sh", os.path.join(ansible, "drift.sh"), *extra], capture_output=True, text=True,
                              timeout=600, env={**os.environ, **drift_env})

    clean = drift()
    if clean.returncode != 0:
        return fail(f"drift.sh on a node as built (exit {clean.returncode})", clean)
    target = manifest["drift_file"]
    with open(target, "a") as handle:
        handle.write("# edited on the node\n")
    drifted = drift()
    named = [line for line in drifted.stderr.splitlines() if line.startswith("drift: ")]
    if drifted.returncode != 1 or named != [f"drift: {node}: {target}"]:
        return fail(f"drift.sh after {target} changed (exit {drifted.returncode}, named {named})", drifted)
    print(f"ok   drift.sh: 0 as built; 1 naming '{named[0]}' after one file changed")

    # The secrets a runbook step brings by hand (copied, minted, typed), as the operator would.
    for path in manifest["by_hand"]:
        with open(path, "w") as handle:
            handle.write("STAND_IN=made-by-hand-in-the-runbook\n")
    secret = manifest["generated"][0]
    value = open(secret).read()
    os.remove(secret)
    gone = playbook("--tags", "services")
    if gone.returncode == 0 or secret not in gone.stdout:
        return fail(f"services with {secret} removed", gone)
    for line in value.splitlines():
        shown = line.split("=", 1)[-1]
        if shown and shown in gone.stdout + gone.stderr:
            print(f"FAIL a secret value of {secret} is in the playbook's output")
            return 1
    print(f"ok   a removed secret stops the services play naming {secret}, and no value is printed")
    return 0


def fail(what, result):
    print(f"FAIL {what}:\n{result.stdout[-4000:]}{result.stderr[-2000:]}")
    return 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--venv", default=ansible_check.DEFAULT_VENV)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.scratch:
        return inside(arguments)
    ansible_check.ensure_venv(arguments.venv)
    scratch = tempfile.mkdtemp(prefix="spark-gen-apply-")
    os.chmod(scratch, 0o755)
    try:
        tree = os.path.join(scratch, "tree")
        shutil.copytree(arguments.tree, tree, symlinks=True)
        manifest = describe(tree, arguments.node)
        with open(os.path.join(scratch, "node.json"), "w") as handle:
            json.dump(manifest, handle)
        result = subprocess.run(["unshare", "-m", "-n", "--propagation", "private", sys.executable, os.path.abspath(__file__),
                                 "--tree", tree, "--node", arguments.node, "--venv", arguments.venv, "--scratch", scratch],
                                capture_output=True, text=True, timeout=1500)
        print(result.stdout + result.stderr, end="")
        return result.returncode
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def describe(tree, node):
    """What the node should hold, read from the tree (secrets.json, the inventory, the files)."""
    root = os.path.join(tree, "nodes", node)
    files = []
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            on_node = path[len(root):]
            files.append(on_node)
    inventory = open(os.path.join(tree, "ansible", "inventory.yml")).read()
    block = inventory.split(f"    {node}:\n", 1)[1]
    user = re.search(r'ansible_user: "([^"]+)"', block).group(1)
    host = re.search(r'ansible_host: "([^"]+)"', block).group(1)
    home = "/home/" + user
    secrets = []
    for directory, _, names in os.walk(root):
        if "secrets.json" in names:
            secrets = json.load(open(os.path.join(directory, "secrets.json")))["files"]
    generated = [f["path"] for f in secrets if f["source"]["kind"] == "generated"]
    by_hand = [f["path"] for f in secrets if f["source"]["kind"] != "generated"]
    site = open(os.path.join(tree, "ansible", "site.yml")).read()
    expected = []
    for on_node in sorted(files):
        # The mode spark-gen build gave the file in the tree (a fresh build: git keeps no 0600),
        # the owner the playbook names.
        mode = f"{os.stat(root + on_node).st_mode & 0o7777:04o}"
        match = re.search(rf'dest: "{re.escape(on_node)}"\n\s+mode: "\d+"\n\s+owner: "([^"]+)"', site)
        expected.append((on_node, mode, match.group(1)))
    drift_file = next(p for p in sorted(files) if p.endswith("/compose.yaml") or p.endswith("/litellm-config.yaml"))
    return {"user": user, "uid": 1000, "gid": 1000, "home": home, "files": expected, "generated": generated, "by_hand": by_hand,
            "address": host if re.match(r"^\d+\.\d+\.\d+\.\d+$", host) else None, "drift_file": drift_file}


if __name__ == "__main__":
    sys.exit(main())
