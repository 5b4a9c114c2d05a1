#!/usr/bin/env python3
"""Every `vllm serve` line of a generated tree against what its image's vLLM accepts.

The lines: each compose service whose entrypoint (or command) is `vllm serve`, and each shell
script that runs `vllm serve` (the entrypoint scripts that the runner scripts mount into the
container). The image: the compose service's `image`, or the `image=` of the runner script
that mounts the entrypoint; an image built on the node (vllm-spark:26.04) is followed to the
Dockerfile in the tree that builds it (`-t IMAGE` in its build comment) and its FROM line.
The vLLM in an image: facts/vllm/images.json (its one home, each entry with its evidence).
What that vLLM accepts: facts/vllm/<version>.json, extracted from vLLM's source at the
release's tag by scripts/vllm-facts.py (the same table the Swift VLLMServeArguments carries).

A line fails when a flag does not exist in that release, a flag that takes a value has none,
an enumerated value is not accepted (naming the first extracted release that accepts it), a
second positional argument appears, or the image's vLLM is unknown or has no table.

  vllm_check.py TREE    prints one row per line and exits 1 when any fails
"""
import glob
import json
import os
import re
import shlex
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FACTS = os.path.join(ROOT, "facts", "vllm")


def version_key(version):
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+]", version))


class Facts:
    def __init__(self, directory=FACTS):
        self.images = json.load(open(os.path.join(directory, "images.json")))
        self.tables = {}
        for path in glob.glob(os.path.join(directory, "[0-9]*.json")):
            table = json.load(open(path))
            self.tables[table["version"]] = table

    def vllm_of(self, image):
        """(version, evidence) of the vLLM an image carries, or (None, why not)."""
        entry = self.images["images"].get(image)
        if entry:
            return entry["vllm"], entry["evidence"]
        for rule in self.images["patterns"]:
            match = re.fullmatch(rule["pattern"], image)
            if match:
                return match.group("version"), rule["evidence"]
        return None, f"facts/vllm/images.json does not say which vLLM {image} carries"

    def first_accepting(self, flag, value):
        for version in sorted(self.tables, key=version_key):
            entry = self.tables[version]["flags"].get(flag)
            if entry is not None and (not entry.get("choices") or value in entry["choices"]):
                return version
        return None


def problems(argv, table, facts):
    """What vLLM `table` would refuse in `argv` (the words after `vllm serve`)."""
    flags = table["flags"]
    found, positional, index = [], 0, 0
    version = table["version"]
    while index < len(argv):
        word = argv[index]
        index += 1
        if not word.startswith("-") or word == "-":
            positional += 1
            if positional > 1:
                found.append(f"unexpected argument {word!r}: `vllm serve` takes one model")
            continue
        name, inline = (word.split("=", 1) + [None])[:2] if word.startswith("--") and "=" in word else (word, None)
        base = name.split(".", 1)[0] if name.startswith("--") else name  # --compilation-config.level
        entry = flags.get(name) or flags.get(base)
        if entry is None:
            found.append(f"{name}: vLLM {version} has no such flag")
            if inline is None and index < len(argv) and not argv[index].startswith("-"):
                index += 1  # its value, which argparse reports with it as unrecognized
            continue
        if not entry["takes_value"]:
            if inline is not None:
                found.append(f"{name} is a switch in vLLM {version} and takes no value (got {inline!r})")
            continue
        nargs = entry.get("nargs")
        values = []
        if inline is not None:
            values = [inline]
        elif nargs in ("+", "*"):
            while index < len(argv) and not argv[index].startswith("-"):
                values.append(argv[index])
                index += 1
        elif nargs == "?":
            if index < len(argv) and not argv[index].startswith("-"):
                values.append(argv[index])
                index += 1
            continue
        elif index < len(argv) and not (argv[index].startswith("--") or re.fullmatch(r"-[A-Za-z].*", argv[index])):
            values.append(argv[index])
            index += 1
        if not values:
            if nargs != "*":
                found.append(f"{name} takes a value in vLLM {version} and has none")
            continue
        choices = entry.get("choices") or []
        for value in values:
            if choices and value not in choices:
                first = facts.first_accepting(name, value)
                since = (f"first accepted in vLLM {first} (facts/vllm/{first}.json)" if first
                         else "no extracted vLLM release accepts it")
                found.append(f"{name} {value}: vLLM {version} accepts {', '.join(choices)}; {since}")
    return found


def dockerfile_base(tree, image):
    """The FROM of the Dockerfile in the tree that builds `image` (its `-t IMAGE` build line)."""
    for path in sorted(glob.glob(os.path.join(tree, "**", "Dockerfile*"), recursive=True)):
        text = open(path).read()
        if re.search(r"-t\s+" + re.escape(image) + r"(\s|$)", text):
            match = re.search(r"^FROM\s+(\S+)", text, re.M)
            if match:
                return match.group(1), os.path.relpath(path, tree)
    return None, None


def resolve_image(tree, image, facts):
    """(version, the image as named, why not) for an image as the node runs it, through a local
    build if need be."""
    version, evidence = facts.vllm_of(image)
    if version:
        return version, image, None
    base, dockerfile = dockerfile_base(tree, image)
    if base:
        version, _ = facts.vllm_of(base)
        if version:
            return version, f"{image} (FROM {base} in {dockerfile})", None
    return None, image, evidence


def compose_lines(tree):
    """(artifact, image, argv after `vllm serve`) of every compose service that runs vllm serve."""
    for path in sorted(glob.glob(os.path.join(tree, "**", "compose*.y*ml"), recursive=True)):
        document = yaml.safe_load(open(path)) or {}
        for name, service in sorted((document.get("services") or {}).items()):
            entrypoint = service.get("entrypoint") or []
            command = service.get("command") or []
            if isinstance(entrypoint, str):
                entrypoint = shlex.split(entrypoint)
            if isinstance(command, str):
                command = shlex.split(command)
            words = [str(w) for w in list(entrypoint) + list(command)]
            if words[:2] == ["vllm", "serve"]:
                yield f"{os.path.relpath(path, tree)} ({name})", service.get("image", ""), words[2:]


def shell_serve_argv(text):
    """The words after `vllm serve` in a script (continuation lines joined), or None."""
    joined = re.sub(r"\\\n", " ", text)
    for line in joined.splitlines():
        stripped = line.strip()
        match = re.match(r"^(?:exec\s+)?vllm\s+serve\b(.*)$", stripped)
        if match:
            return shlex.split(match.group(1), comments=True)
    return None


def script_image(path):
    """The image of the runner script beside an entrypoint that mounts it into the container."""
    name = os.path.basename(path)
    for other in sorted(glob.glob(os.path.join(os.path.dirname(path), "*.sh"))):
        text = open(other).read()
        if other != path and re.search(re.escape(name) + r":/", text):
            match = re.search(r"^image=(\S+)", text, re.M)
            if match:
                return match.group(1).strip("'\""), os.path.basename(other)
    return None, None


def script_lines(tree):
    for path in sorted(glob.glob(os.path.join(tree, "**", "*.sh"), recursive=True)):
        argv = shell_serve_argv(open(path).read())
        if argv is None:
            continue
        image, runner = script_image(path)
        yield os.path.relpath(path, tree), image or "", argv, runner


def check_tree(tree, facts=None):
    """[(artifact, tool, ok, detail)] for every vllm serve line of a tree."""
    facts = facts or Facts()
    lines = [(artifact, image, argv, None) for artifact, image, argv in compose_lines(tree)]
    lines += list(script_lines(tree))
    rows = []
    for artifact, image, argv, runner in lines:
        if not image:
            rows.append((artifact, "vllm serve vs facts/vllm", False, "no image runs this line (no runner script mounts it)"))
            continue
        version, named, why_not = resolve_image(tree, image, facts)
        if version is None:
            rows.append((artifact, "vllm serve vs facts/vllm", False, why_not))
            continue
        table = facts.tables.get(version)
        if table is None:
            rows.append((artifact, f"vllm serve vs vLLM {version}", False,
                         f"{named} carries vLLM {version} (facts/vllm/images.json), but facts/vllm/{version}.json "
                         "is missing: extract that release with scripts/vllm-facts.py"))
            continue
        found = problems(argv, table, facts)
        detail = "\n".join(found)
        if found:
            detail = f"{named} carries vLLM {version} ({table['source']}):\n" + detail
        rows.append((artifact, f"vllm serve vs vLLM {version}", not found, detail))
    return rows


def main():
    rows = check_tree(sys.argv[1])
    for artifact, tool, ok, detail in rows:
        print(f"{'ok  ' if ok else 'FAIL'} {artifact}  {tool}")
        if detail and not ok:
            print("     " + detail.replace("\n", "\n     "))
    return 0 if rows and all(row[2] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
