"""Each node's own probes of its peers, run on the kernel the matrix just proved.

verify.sh's sections `== Reachability of NODE from here` run in the node's namespace, once its
ufw is the generated one and every node's listeners are up: its address checks (has_address,
owns_address), the ports it expects to answer and the ones it refuses meet the real ufw of the
peer. On a healthy deployment every line must be `ok`: a refusal of a port the peer admits
this node to, or an expectation of one it does not, fails here.

Every check line (`expect …`, `refuse …`) of those sections runs unchanged, after the script's
own prelude (its functions), with bash; the lines run side by side, each in a subshell of its
node's bash. They are independent probes, and one after the other each refusal
of a dropped port waited out verify.sh's 3 s time-out: half a minute a node. AT_ONCE bounds
how many run at once.
"""
import os
import re
import subprocess

SECTION = "\necho '== Reachability of "
NEXT = "\necho '== "
SUMMARY = '\necho\nif [ "$failures" -gt 0 ]; then'
CHECK = re.compile(r"^(?:expect|refuse) .*$", re.M)
LINE = re.compile(r"^(ok|FAIL)\s+(.*)$", re.M)
TIMEOUT = 600
# Check lines of a node running at once: a line's own time-out (tcp_open's 3 s) includes its
# bash's start, which a few hundred processes at once on a loaded machine could delay.
AT_ONCE = 8


def reachability_checks(text):
    """(prelude, [check line]) of a verify.sh's reachability sections; None without one."""
    prelude_end = text.find(NEXT)
    summary = text.find(SUMMARY)
    if prelude_end < 0 or summary < 0 or SECTION not in text:
        return None
    checks = []
    start = text.find(SECTION)
    while 0 <= start < summary:
        end = text.find(NEXT, start + 1)
        end = summary if end < 0 or end > summary else end
        checks += CHECK.findall(text[start:end])
        start = text.find(SECTION, end)
    return text[:prelude_end], checks


def script(prelude, checks, directory):
    """The prelude, then every check in a subshell of its own writing to its own file, AT_ONCE
    at a time."""
    lines = [prelude]
    for index, check in enumerate(checks):
        lines.append(f"( {check} ) > {directory}/{index} 2>&1 &")
        if index % AT_ONCE == AT_ONCE - 1:
            lines.append("wait")
    lines.append("wait")
    return "\n".join(lines) + "\n"


def run_all(harness):
    """[(description, ok)] of every node's reachability lines, each run in the node's namespace."""
    started = {}
    for node in harness.nodes:
        path = harness.stack_artifact(node, "scripts/verify.sh")
        found = reachability_checks(open(path).read()) if path else None
        if found is None:
            continue
        prelude, checks = found
        directory = os.path.join(harness.scratch, f"verify-{harness.node_index[node]}")
        os.makedirs(directory)
        process = subprocess.Popen(["ip", "netns", "exec", harness.node_ns(node), "bash", "-c", script(prelude, checks, directory)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started[node] = (process, directory, checks)
    results = []
    for node, (process, directory, checks) in started.items():
        try:
            output, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            results.append((f"{node}: verify.sh's reachability sections did not finish within {TIMEOUT} s", False))
            continue
        if not checks:
            results.append((f"{node}: verify.sh's reachability sections have no check line", False))
        for index, check in enumerate(checks):
            with open(os.path.join(directory, str(index))) as handle:
                printed = handle.read()
            lines = LINE.findall(printed)
            if len(lines) != 1:
                results.append((f"{node}: `{check}` printed no single check:\n{output}{printed}", False))
            for verdict, what in lines[:1]:
                results.append((f"{node}: {what}", verdict == "ok"))
    return results
