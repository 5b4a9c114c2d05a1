#!/usr/bin/env python3
"""Checks trees' ansible/ with the real ansible-core and ansible-lint, several trees in one run.

  ansible_check.py --tree TREE_DIR [--tree TREE_DIR ...] [--json] [--venv DIR]
                   [--only syntax-check | --only lint [--lint-tag RULE]]

1. makes sure a venv holds REQUIREMENTS (default ~/.cache/spark-gen/ansible-venv, reused once
   complete: a marker written only after pip succeeded, under a lock);
2. `ansible-playbook --syntax-check` with each tree's inventory.yml and site.yml, and
   `ansible-inventory --list` of each tree (every node in the inventory, with ansible_host and
   ansible_user);
3. `ansible-lint` with its default profile on a copy of the trees (ansible-lint writes caches
   beside what it reads, and the trees under test stay as they were);
4. `sh -n` on each drift.sh.

One ansible-playbook --syntax-check and one ansible-lint serve every tree given: each start
imports ansible-core (ansible-lint also asks `ansible --version` and `ansible-config dump`
before it reads a file), which cost more than the checks of one small playbook. What they find
is told to the tree it names (ansible-lint's findings one a line, `file:line:col: rule: message`);
a syntax-check that fails runs again on each tree alone, to say which. The inventories are
listed by one Python that imports ansible-core once and forks `ansible-inventory`'s main per
tree (ansible_inventory_run.py). ansible-lint's own per-playbook `ansible-playbook
--syntax-check` is left out for the playbooks this run's syntax-check passed (it finds nothing
on them; ansible_lint_run.py --syntax-checked), and runs as before on a playbook that failed.

--only runs one check (a break case of it; the unbroken trees' run has every check, whole):
`syntax-check`, or `lint` with --lint-tag RULE giving ansible-lint -t RULE, the rule the break
case breaks (fqcn, yaml), with its own syntax-check and start as always.

Without --json: exits 1 and prints the tools' output when anything fails. With --json: prints
{tree: {"ok": bool, "detail": text}} and exits 0 (the caller tells each tree's result).
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
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VENV = os.path.join(os.path.expanduser("~"), ".cache", "spark-gen", "ansible-venv")
PASSED = "ansible: syntax-check, inventory, ansible-lint (default profile), drift.sh: ok"


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


def syntax_check(venv, scratch, labels, home):
    """{label: failure text} of `ansible-playbook --syntax-check` over the labels' playbooks, each
    with its inventory: one run for all; when it fails, one run a tree to say which."""
    command = ["ansible-playbook", "--syntax-check"]
    for label in labels:
        command += ["-i", f"{label}/ansible/inventory.yml"]
    together = run(venv, command + [f"{label}/ansible/site.yml" for label in labels], scratch, home)
    if together.returncode == 0:
        return {}
    if len(labels) == 1:
        return {labels[0]: together.stdout + together.stderr}
    found = {}
    for label in labels:
        alone = run(venv, ["ansible-playbook", "--syntax-check", "-i", "inventory.yml", "site.yml"], os.path.join(scratch, label, "ansible"), home)
        if alone.returncode != 0:
            found[label] = alone.stdout + alone.stderr
    # Failed together, passed alone: the trees' playbooks clash, and that is no tree's finding alone.
    return found or {label: together.stdout + together.stderr for label in labels}


def inventories(venv, scratch, labels, home):
    """{label: {"returncode", "stdout", "stderr"}} of `ansible-inventory -i inventory.yml --list`
    in each label's ansible/: one Python imports ansible-core and forks a run per tree
    (ansible_inventory_run.py), the same program on the same files."""
    result = run(venv, [os.path.join(venv, "bin", "python"), os.path.join(HERE, "ansible_inventory_run.py"),
                        *[f"{label}/ansible" for label in labels]], scratch, home)
    try:
        found = json.loads(result.stdout)
        return {label: found[f"{label}/ansible"] for label in labels}
    except (ValueError, KeyError):
        # The helper itself failed: every tree's failure, with what it said.
        return {label: {"returncode": result.returncode or 1, "stdout": result.stdout, "stderr": result.stderr} for label in labels}


def lint(venv, scratch, labels, home, checked=(), tag=None):
    """{label: findings} of one ansible-lint over the labels' playbooks, its default rules (with
    TAG, its rules of that id or tag alone: ansible-lint's -t). Its own syntax-check leaves out
    the labels in CHECKED, whose playbooks the syntax-check of this run passed."""
    # No --profile: ansible-lint's default rules, every one of them an error here. pep8: one
    # finding a line, starting with the file it is in.
    # Through ansible_lint_run.py: the same ansible-lint, whose deep copies share ansible's
    # tagged strings instead of rebuilding them (a third of its CPU).
    result = run(venv, [os.path.join(venv, "bin", "python"), os.path.join(HERE, "ansible_lint_run.py"),
                        *[word for label in checked for word in ("--syntax-checked", f"{label}/ansible/site.yml")],
                        os.path.join(venv, "bin", "ansible-lint"), "--offline", "--format", "pep8", "--nocolor",
                        *(["-t", tag] if tag else []), *[f"{label}/ansible/site.yml" for label in labels]], scratch, home)
    if result.returncode == 0:
        return {}
    found = {}
    for line in result.stdout.splitlines():
        label = line.split("/", 1)[0]
        if label in labels:
            found.setdefault(label, []).append(line)
    if not found:
        # A failure that names no tree (the tool itself failed): every tree's.
        return {label: result.stdout + result.stderr for label in labels}
    # Its summary (stderr) counts the findings of every tree: told only when it is one tree's.
    summary = "".join(line for line in result.stderr.splitlines(True) if "DeprecationWarning" not in line) if len(labels) == 1 else ""
    return {label: "\n".join(lines) + "\n" + summary for label, lines in found.items()}


def check(trees, venv, only=None, tag=None):
    """{tree: failure texts} of every check, for the trees given; with ONLY (a break case of
    it), that check alone: "syntax-check" or "lint" (with TAG, ansible-lint's rules of that id)."""
    failures = {tree: [] for tree in trees}
    scratch = tempfile.mkdtemp(prefix="spark-gen-ansible-")
    try:
        labels = {}
        for tree in trees:
            # The playbook names files as ../nodes/…, so each copy keeps its tree's shape.
            # Named as the findings will say: prove.py's trees are <example>/tree.
            name = os.path.basename(os.path.normpath(tree))
            name = os.path.basename(os.path.dirname(os.path.normpath(tree))) if name == "tree" else name
            label = name if name and name not in labels and not name.startswith(".") else f"tree{len(labels)}"
            labels[label] = tree
            shutil.copytree(tree, os.path.join(scratch, label), symlinks=True)
        home = {"HOME": scratch}
        if only == "lint":
            for label, text in lint(venv, scratch, list(labels), home, tag=tag).items():
                failures[labels[label]].append("ansible-lint:\n" + text)
            return failures
        syntax = syntax_check(venv, scratch, list(labels), home)
        for label, text in syntax.items():
            failures[labels[label]].append("ansible-playbook --syntax-check:\n" + text)
        if only == "syntax-check":
            return failures
        for label, listed in inventories(venv, scratch, list(labels), home).items():
            tree = labels[label]
            if listed["returncode"] != 0:
                failures[tree].append("ansible-inventory --list:\n" + listed["stdout"] + listed["stderr"])
            else:
                hostvars = json.loads(listed["stdout"]).get("_meta", {}).get("hostvars", {})
                nodes_dir = os.path.join(scratch, label, "nodes")
                for node in sorted(os.listdir(nodes_dir)) if os.path.isdir(nodes_dir) else []:
                    variables = hostvars.get(node, {})
                    if not variables.get("ansible_host") or not variables.get("ansible_user"):
                        failures[tree].append(f"inventory: node {node} lacks ansible_host or ansible_user: {variables}")
        checked = [label for label in labels if label not in syntax]
        for label, text in lint(venv, scratch, list(labels), home, checked).items():
            failures[labels[label]].append("ansible-lint:\n" + text)
        for label, tree in labels.items():
            drift = subprocess.run(["sh", "-n", os.path.join(scratch, label, "ansible", "drift.sh")], capture_output=True, text=True, timeout=60)
            if drift.returncode != 0:
                failures[tree].append("sh -n drift.sh:\n" + drift.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", required=True, action="append")
    parser.add_argument("--venv", default=DEFAULT_VENV)
    parser.add_argument("--json", action="store_true", help="each tree's result as JSON")
    parser.add_argument("--only", choices=["syntax-check", "lint"],
                        help="that check alone (a break case of it; the unbroken trees' run has every check)")
    parser.add_argument("--lint-tag", help="with --only lint: ansible-lint's rules of this id or tag alone (its -t)")
    arguments = parser.parse_args()
    if arguments.lint_tag and arguments.only != "lint":
        parser.error("--lint-tag needs --only lint")
    ensure_venv(arguments.venv)
    failures = check(arguments.tree, arguments.venv, arguments.only, arguments.lint_tag)
    if arguments.json:
        print(json.dumps({tree: {"ok": not found, "detail": "\n".join(found) or PASSED} for tree, found in failures.items()}))
        return 0
    found = [text for texts in failures.values() for text in texts]
    print("\n".join(found) or PASSED)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
