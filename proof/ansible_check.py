#!/usr/bin/env python3
"""Checks a tree's ansible/ with the real ansible-core and ansible-lint.

  ansible_check.py --tree TREE_DIR [--venv DIR]

1. makes sure a venv holds REQUIREMENTS (default ~/.cache/spark-gen/ansible-venv, reused once
   complete: a marker written only after pip succeeded, under a lock);
2. `ansible-playbook --syntax-check -i inventory.yml site.yml`, and `ansible-inventory --list`
   (every node in the inventory, with ansible_host and ansible_user);
3. `ansible-lint` with its default profile on a copy of ansible/ (ansible-lint writes caches
   beside what it reads, and the tree under test stays as it was);
4. `sh -n` on drift.sh.

Exits 1 and prints the tool's output when anything fails.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import cached_venv

# ansible-core 2.19 needs Python >= 3.11; ansible-lint 26 reads playbooks with it.
REQUIREMENTS = ["ansible-core==2.19.14", "ansible-lint==26.10.1"]
DEFAULT_VENV = os.path.join(os.path.expanduser("~"), ".cache", "spark-gen", "ansible-venv")


def ensure_venv(venv):
    cached_venv.ensure(venv, REQUIREMENTS, "ansible-lint", "about a minute", error=SystemExit, timeout=1200)


def run(venv, command, cwd, env_extra=None):
    env = dict(os.environ)
    env["PATH"] = os.path.join(venv, "bin") + os.pathsep + env.get("PATH", "")
    env["ANSIBLE_NOCOLOR"] = "1"
    env["NO_COLOR"] = "1"
    # cryptography's DSA deprecation, printed on every start, says nothing about the files.
    env["PYTHONWARNINGS"] = "ignore"
    env["ANSIBLE_LOCAL_TEMP"] = os.path.join(cwd, ".ansible-tmp")
    env.update(env_extra or {})
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", required=True)
    parser.add_argument("--venv", default=DEFAULT_VENV)
    arguments = parser.parse_args()
    ensure_venv(arguments.venv)
    failures = []
    scratch = tempfile.mkdtemp(prefix="spark-gen-ansible-")
    try:
        # The playbook names files as ../nodes/…, so the copy keeps the tree's shape.
        tree = os.path.join(scratch, "tree")
        shutil.copytree(arguments.tree, tree, symlinks=True)
        ansible = os.path.join(tree, "ansible")
        home = {"HOME": scratch}
        syntax = run(arguments.venv, ["ansible-playbook", "--syntax-check", "-i", "inventory.yml", "site.yml"], ansible, home)
        if syntax.returncode != 0:
            failures.append("ansible-playbook --syntax-check:\n" + syntax.stdout + syntax.stderr)
        listed = run(arguments.venv, ["ansible-inventory", "-i", "inventory.yml", "--list"], ansible, home)
        if listed.returncode != 0:
            failures.append("ansible-inventory --list:\n" + listed.stdout + listed.stderr)
        else:
            hostvars = json.loads(listed.stdout).get("_meta", {}).get("hostvars", {})
            nodes = sorted(os.listdir(os.path.join(tree, "nodes"))) if os.path.isdir(os.path.join(tree, "nodes")) else []
            for node in nodes:
                variables = hostvars.get(node, {})
                if not variables.get("ansible_host") or not variables.get("ansible_user"):
                    failures.append(f"inventory: node {node} lacks ansible_host or ansible_user: {variables}")
        # No --profile: ansible-lint's default rules, every one of them an error here.
        lint = run(arguments.venv, ["ansible-lint", "--offline", "site.yml"], ansible, home)
        if lint.returncode != 0:
            failures.append("ansible-lint:\n" + lint.stdout + lint.stderr)
        drift = subprocess.run(["sh", "-n", os.path.join(ansible, "drift.sh")], capture_output=True, text=True, timeout=60)
        if drift.returncode != 0:
            failures.append("sh -n drift.sh:\n" + drift.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        print("\n".join(failures))
        return 1
    print("ansible: syntax-check, inventory, ansible-lint (default profile), drift.sh: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
