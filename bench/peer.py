#!/usr/bin/env python3
"""The peer: a Jinja2 template renderer doing spark-gen's job on a bench fleet, for timing.

  bench/peer.py templates BINARY DIR     make the templates (once, not timed)
  bench/peer.py render DIR TOPOLOGY OUT  render TOPOLOGY's fleet into OUT (timed)
  bench/peer.py check BINARY             render a fleet and compare with spark-gen's tree

A team without spark-gen would keep one template per file a pair of nodes needs and render
it once per pair. The templates here are spark-gen's own output for one pair of a
bench/make-fleet.py fleet with the pair's names and addresses turned into variables, so the
peer writes the same per-pair files, byte for byte (`check` proves it; only the verify.sh of
the first and last node, where the ring of neighbours closes, lists them in another order), at the least work a
template renderer can do: read the topology (PyYAML, with libyaml's C loader), render, write.
It validates nothing and leaves out the few fleet-wide files (README.md, ansible/), so its
time is a lower bound for the renderer. Jinja2 and PyYAML come from PyPI, pinned, in a
virtualenv made once under ~/.cache/spark-gen (proof/cached_venv.py); the script re-runs
itself there.
"""
import os
import re
import subprocess
import sys
import tempfile

REQUIREMENTS = ["Jinja2==3.1.6", "PyYAML==6.0.3"]
VENV = os.path.expanduser("~/.cache/spark-gen/peer-venv")
HERE = os.path.dirname(os.path.abspath(__file__))
# The pair the templates are cut from: a number no other part of the output spells.
MODEL_PAIR = 123
MODEL_FLEET = MODEL_PAIR + 2


def pair_values(i, pairs):
    """What differs between pairs, as bench/make-fleet.py writes it (separate links): the
    pair's names and addresses, and its neighbours' (verify.sh probes the previous pair's
    second node and the next pair's first, round the ring)."""
    def address(value):
        return ".".join(str(value >> shift & 255) for shift in (24, 16, 8, 0))

    def mgmt(host):
        return f"172.16.{host // 250}.{host % 250 + 1}"

    base = (10 << 24) + 4 * i
    before, after = (i - 1) % pairs, (i + 1) % pairs
    return {"i": str(i), "before": str(before), "after": str(after),
            "net": address(base), "dac_a": address(base + 1), "dac_b": address(base + 2),
            "bcast": address(base + 3), "mgmt_a": mgmt(2 * i + 1), "mgmt_b": mgmt(2 * i + 2),
            "mgmt_before": mgmt(2 * before + 2), "mgmt_after": mgmt(2 * after + 1)}


def templates(binary, directory):
    """Build a fleet with spark-gen and turn pair MODEL_PAIR's files into Jinja2 templates."""
    sys.path.insert(0, HERE)
    import importlib
    make_fleet = importlib.import_module("make-fleet")
    with tempfile.TemporaryDirectory() as scratch:
        topology = os.path.join(scratch, "fleet.yaml")
        with open(topology, "w") as handle:
            handle.write(make_fleet.fleet(MODEL_FLEET, "all"))
        tree = os.path.join(scratch, "out")
        subprocess.run([binary, "build", topology, "-o", tree], check=True, stdout=subprocess.DEVNULL)
        values = pair_values(MODEL_PAIR, MODEL_FLEET)
        numbers = {values[name]: name for name in ("i", "before", "after")}
        # Longest first, so 10.0.1.236 is not cut inside 10.0.1.2360; names stand alone.
        literal = sorted(((text, name) for name, text in values.items() if name not in numbers.values()), key=lambda p: -len(p[0]))
        # A pair's names: a prefix standing alone (n123a, ~/.o123b-key, tag:keep123a, tag:lms123a, lms-123a).
        pattern = re.compile("|".join(rf"(?<![0-9.]){re.escape(text)}(?![0-9])" for text, _ in literal)
                             + r"|(?<![0-9A-Za-z])(?P<prefix>n|o|t|d|h|b|u|r|p|m|ops|keep|lms-|lms|kw)(?P<number>"
                             + "|".join(numbers) + r")(?![0-9])")
        by_text = dict(literal)

        def substitute(match, spell):
            if match.group("prefix"):
                return match.group("prefix") + spell(numbers[match.group("number")])
            return spell(by_text[match.group(0)])

        count = 0
        for root, _, files in os.walk(tree):
            for name in files:
                source = os.path.join(root, name)
                relative = os.path.relpath(source, tree)
                if str(MODEL_PAIR) not in relative:
                    continue  # fleet-wide, or another pair's
                text = open(source).read()
                body = pattern.sub(lambda m: substitute(m, lambda name: "{% endraw %}{{ " + name + " }}{% raw %}"), text)
                body = "{% raw %}" + body + "{% endraw %}"
                target = os.path.join(directory, pattern.sub(lambda m: substitute(m, lambda name: "@" + name + "@"), relative))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target + ".j2", "w") as handle:
                    handle.write(body)
                if os.access(source, os.X_OK):
                    os.chmod(target + ".j2", 0o755)
                count += 1
        print(f"peer: {count} templates in {directory}", file=sys.stderr)


def render(directory, topology, out):
    """Read the topology, then render every template once per pair into `out`."""
    import jinja2
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(topology) as handle:
        fleet = yaml.load(handle, Loader=loader)
    pairs = sorted({int(name[1:-1]) for name in fleet["nodes"]})
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(directory), keep_trailing_newline=True,
                                     autoescape=False)
    parts = []
    for root, _, files in os.walk(directory):
        for name in files:
            relative = os.path.relpath(os.path.join(root, name), directory)
            mode = 0o755 if os.access(os.path.join(root, name), os.X_OK) else 0o644
            parts.append((relative[:-3], environment.get_template(relative), mode))
    made = set()
    for i in pairs:
        values = pair_values(i, len(pairs))
        for path, template, mode in parts:
            target = os.path.join(out, re.sub(r"@(\w+)@", lambda m: values[m.group(1)], path))
            folder = os.path.dirname(target)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            with open(target, "w") as handle:
                handle.write(template.render(values))
            os.chmod(target, mode)


def check(binary):
    """The peer's files for a small fleet equal spark-gen's, byte for byte."""
    sys.path.insert(0, HERE)
    import importlib
    make_fleet = importlib.import_module("make-fleet")
    with tempfile.TemporaryDirectory() as scratch:
        templates(binary, os.path.join(scratch, "templates"))
        topology = os.path.join(scratch, "fleet.yaml")
        with open(topology, "w") as handle:
            handle.write(make_fleet.fleet(12, "all"))
        subprocess.run([binary, "build", topology, "-o", os.path.join(scratch, "spark")], check=True,
                       stdout=subprocess.DEVNULL)
        render(os.path.join(scratch, "templates"), topology, os.path.join(scratch, "peer"))
        compared = 0
        for root, _, files in os.walk(os.path.join(scratch, "peer")):
            for name in files:
                mine = os.path.join(root, name)
                if re.search(r"/(n0a|n11b)/", mine) and name == "verify.sh":
                    continue  # where the ring closes, spark-gen lists the two neighbours the other way round
                theirs = os.path.join(scratch, "spark", os.path.relpath(mine, os.path.join(scratch, "peer")))
                if open(mine, "rb").read() != open(theirs, "rb").read():
                    sys.exit(f"peer: {os.path.relpath(mine, scratch)} differs from spark-gen's")
                compared += 1
        print(f"peer: {compared} files equal spark-gen's for 12 pairs (all but the ring's ends' verify.sh)")


def main():
    if os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        sys.path.insert(0, os.path.join(HERE, "..", "proof"))
        import cached_venv
        cached_venv.ensure(VENV, REQUIREMENTS, "python", "Jinja2 and PyYAML, a few seconds",
                           say=lambda text: print(text, file=sys.stderr))
        os.execv(os.path.join(VENV, "bin", "python"), [os.path.join(VENV, "bin", "python"), *sys.argv])
    verb, arguments = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if verb == "templates":
        templates(*arguments)
    elif verb == "render":
        render(*arguments)
    elif verb == "check":
        check(*arguments)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
