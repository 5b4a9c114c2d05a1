"""Each node's own probes of its peers, run on the kernel the matrix just proved.

verify.sh's sections `== Reachability of NODE from here` (with its prelude and summary) run
unchanged with bash in the node's namespace, once its ufw is the generated one and every
node's listeners are up: its address checks (has_address, owns_address), the ports it expects
to answer and the ones it refuses meet the real ufw of the peer. On a healthy deployment every
line must be `ok`: a refusal of a port the peer admits this node to, or an expectation of one
it does not, fails here. Nodes run side by side: a refused probe waits out its 3 s time-out.
"""
import re
import subprocess

SECTION = "\necho '== Reachability of "
NEXT = "\necho '== "
SUMMARY = '\necho\nif [ "$failures" -gt 0 ]; then'
LINE = re.compile(r"^(ok|FAIL)\s+(.*)$", re.M)
TIMEOUT = 600


def reachability_script(text):
    """The prelude, every reachability section and the summary of a verify.sh; None without one."""
    prelude_end = text.find(NEXT)
    summary = text.find(SUMMARY)
    if prelude_end < 0 or summary < 0 or SECTION not in text:
        return None
    parts = [text[:prelude_end]]
    start = text.find(SECTION)
    while 0 <= start < summary:
        end = text.find(NEXT, start + 1)
        end = summary if end < 0 or end > summary else end
        parts.append(text[start:end])
        start = text.find(SECTION, end)
    return "".join(parts) + text[summary:]


def run_all(harness):
    """[(description, ok)] of every node's reachability lines, each run in the node's namespace."""
    started = {}
    for node in harness.nodes:
        path = harness.stack_artifact(node, "scripts/verify.sh")
        script = reachability_script(open(path).read()) if path else None
        if script is None:
            continue
        started[node] = subprocess.Popen(["ip", "netns", "exec", harness.node_ns(node), "bash", "-c", script],
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    results = []
    for node, process in started.items():
        try:
            output, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            results.append((f"{node}: verify.sh's reachability sections did not finish within {TIMEOUT} s", False))
            continue
        lines = LINE.findall(output)
        if not lines:
            results.append((f"{node}: verify.sh's reachability sections printed no check:\n{output}", False))
        for verdict, what in lines:
            results.append((f"{node}: {what}", verdict == "ok"))
    return results
