"""The node's own checks, run for real against the LiteLLM of litellm_check.py.

scripts/smoke.sh runs unchanged; of scripts/verify.sh the part that talks to LiteLLM runs (its
prelude, the section `== LiteLLM of owner …` and its summary: the rest checks ufw, ss, Docker
and the other nodes, which have no stand-in here). Both run by their node paths' logic in a
private mount namespace whose /home is a scratch copy of the node's /home from the tree with
the throwaway env files over it, in litellm_check's network namespace, so their curls reach
this LiteLLM (and NGINX, when the node has it) and nothing else.

Each routed model gets a one-token chat completion from these scripts. The checks:

  up    every backend's stand-in up: smoke.sh exits 0 with an `ok` line per model, and the
        verify.sh section exits 0 with an `ok` line for each model's completion;
  down  for each api_base in turn its stand-in stopped: smoke.sh exits 1 and its line for each
        model routed there shows the error a client gets (`FAILED   NAME: HTTP 5xx: {…error…}`,
        or that a fallback answered; `stopped  NAME (…): HTTP …` for a model stopped on
        purpose, which fails nothing), and the verify.sh section exits 1 with a FAIL line for
        each such model that must run; while `GET /v1/models` with the key still answers 200
        and lists them: the listing alone, which both scripts checked before, would pass.
"""
import glob
import json
import os
import re
import shlex
import subprocess
import urllib.request

SMOKE_SCRIPT = "scripts/smoke.sh"
VERIFY_SCRIPT = "scripts/verify.sh"
SCRIPT_TIMEOUT = 300     # against stand-ins each completion takes well under a second; curl allows 300
SMOKE_LINE = re.compile(r"^(ok|FAILED|stopped)\s+(\S+?)(?:\s+\((.*?)\))?(?::\s+(.*))?\s*$", re.M)
VERIFY_SECTION = "\necho '== LiteLLM of owner"
VERIFY_SUMMARY = '\necho\nif [ "$failures" -gt 0 ]; then'
# The error a client gets for a model whose backend is down: a status LiteLLM sends, and its
# JSON error; or a fallback's answer where the topology gave the model fallbacks.
DOWN_ERROR = re.compile(r'^HTTP [45]\d\d: \{.*"error"')
FALLBACK = "answered by a fallback model"


def find(tree, node, relative):
    found = sorted(glob.glob(os.path.join(tree, "nodes", node, "**", relative), recursive=True))
    return found[0] if len(found) == 1 else None


def verify_section(text):
    """The prelude, the LiteLLM section and the summary of a verify.sh, as one script; None
    when it has no LiteLLM section."""
    start = text.find(VERIFY_SECTION)
    summary = text.find(VERIFY_SUMMARY)
    if start < 0 or summary < 0:
        return None
    prelude_end = text.find("\necho '== ")
    end = text.find("\necho '== ", start + 1)
    end = summary if end < 0 or end > summary else end
    return text[:prelude_end] + text[start:end] + text[summary:]


def run(plan, root, workdir, home, script_on_node=None, script_text=None, environment=None):
    """(exit status, output) of a script of the node in a private mount namespace whose /home
    is the node's /home from the tree with the throwaway env files over it."""
    copy = os.path.join(workdir, f"scripts-home-{len(os.listdir(workdir))}")
    q = shlex.quote
    lines = ["set -euo pipefail", f"mkdir -m 0755 {q(copy)}"]
    node_home = os.path.join(plan.tree, "nodes", plan.node, home.lstrip("/"))
    for source in (node_home, os.path.join(root, home.lstrip("/"))):
        if os.path.isdir(source):
            lines.append(f"cp -a {q(source)}/. {q(copy)}/")
    if script_text is not None:
        path = os.path.join(workdir, f"section-{len(os.listdir(workdir))}.sh")
        with open(path, "w") as handle:
            handle.write(script_text)
        command = f"exec bash {q(path)}"
    else:
        command = f"exec {q(script_on_node)}"
    lines += ["mount --make-rprivate /", f"mount --bind {q(copy)} {home}", command]
    try:
        result = subprocess.run(["unshare", "--mount", "bash", "-c", "\n".join(lines) + "\n"],
                                capture_output=True, text=True, timeout=SCRIPT_TIMEOUT, env=environment)
    except subprocess.TimeoutExpired:
        return None, f"did not finish within {SCRIPT_TIMEOUT} s"
    return result.returncode, (result.stdout + result.stderr).strip()


def smoke_lines(output):
    """{model: (verdict, why)} of smoke.sh's lines."""
    return {match.group(2): (match.group(1), match.group(4) or "") for match in SMOKE_LINE.finditer(output)}


def listed(base, key):
    request = urllib.request.Request(f"{base}/v1/models", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, [item.get("id") for item in json.load(response).get("data", [])]
    except (OSError, ValueError) as error:
        return None, [str(error)]


class NodeScripts:
    def __init__(self, plan, root, workdir, home, environment):
        self.plan, self.root, self.workdir, self.home, self.environment = plan, root, workdir, home, environment
        self.smoke = find(plan.tree, plan.node, SMOKE_SCRIPT)
        verify = find(plan.tree, plan.node, VERIFY_SCRIPT)
        self.verify = verify_section(open(verify).read()) if verify else None
        self.problems = []
        if not self.smoke:
            self.problems.append(f"want one {SMOKE_SCRIPT} on node {plan.node}")
        if not self.verify:
            self.problems.append(f"want one {VERIFY_SCRIPT} with a LiteLLM section on node {plan.node}")

    def on_node(self, path):
        return "/" + os.path.relpath(path, os.path.join(self.plan.tree, "nodes", self.plan.node))

    def run_smoke(self):
        return run(self.plan, self.root, self.workdir, self.home, script_on_node=self.on_node(self.smoke), environment=self.environment)

    def run_verify(self):
        return run(self.plan, self.root, self.workdir, self.home, script_text=self.verify, environment=self.environment)

    def up_checks(self):
        """Yield (ok, description) with every stand-in up."""
        if self.problems:
            yield False, "; ".join(self.problems)
            return
        status, output = self.run_smoke()
        lines = smoke_lines(output)
        missing = [name for name in self.plan.model_names if lines.get(name, ("",))[0] != "ok"]
        yield (status == 0 and not missing,
               f"smoke.sh, every backend up -> exit {status}, a completion of every model"
               + (f"; no ok line for {', '.join(missing)}:\n{output}" if missing or status != 0 else f" ({', '.join(lines)})"))
        status, output = self.run_verify()
        # Only the completions count here: other lines of the section (a virtual key, which
        # lives in the database this proxy runs without) are litellm_check's other checks' matter.
        failing = [line for line in output.splitlines() if line.startswith("FAIL") and "one-token completion" in line]
        completed = [name for name in self.plan.model_names if re.search(rf"^ok\s+{re.escape(name)} answers a one-token completion", output, re.M)]
        good = not failing and len(completed) == len(self.plan.model_names)
        yield (good, f"verify.sh's LiteLLM section, every backend up -> exit {status}, completions of {', '.join(completed) or 'nothing'}"
               + ("" if good else f":\n{output}"))

    def down_checks(self, stubs, base, key):
        """Yield (ok, description): each api_base down in turn (its stand-in stopped, then started again)."""
        if self.problems:
            return
        for upstream in list(self.plan.upstreams):
            victims = [name for name, routed in self.plan.routes if routed == upstream]
            where = f"{upstream[0]}:{upstream[1]} down"
            stubs.stop(upstream)
            try:
                status, names = listed(base, key)
                yield (status == 200 and all(name in names for name in victims),
                       f"{where}: GET /v1/models still answers {status} and lists {', '.join(victims)}: "
                       "a check that reads the list alone would pass")
                status, output = self.run_smoke()
                lines = smoke_lines(output)
                shown = {name: lines.get(name, ("missing", "")) for name in victims}
                required = [name for name in victims if shown[name][0] != "stopped"]
                right = all(verdict in ("FAILED", "stopped") and (DOWN_ERROR.match(why) or why.startswith(FALLBACK))
                            for verdict, why in shown.values())
                yield (right and (status != 0) == bool(required),
                       f"{where}: smoke.sh -> exit {status}; "
                       + "; ".join(f"{name}: {verdict} {why[:160]}" for name, (verdict, why) in shown.items())
                       + ("" if right else f" (want FAILED/stopped with LiteLLM's HTTP error or a fallback's note)\n{output}"))
                status, output = self.run_verify()
                failed = [name for name in required
                          if re.search(rf"^FAIL\s+{re.escape(name)} answers a one-token completion.*: (HTTP [45]\d\d|{FALLBACK})", output, re.M)]
                others = [line for line in output.splitlines() if line.startswith("FAIL") and "one-token completion" in line
                          and not any(re.match(rf"FAIL\s+{re.escape(name)} answers", line) for name in required)]
                good = (status == 1 or not required) and failed == required and not others
                yield (good, f"{where}: verify.sh's LiteLLM section -> exit {status}, FAIL for {', '.join(failed) or 'nothing'}"
                       + ("" if good else f" (want FAIL for {', '.join(required) or 'nothing'}, with LiteLLM's error)\n{output}"))
            finally:
                stubs.start(upstream)
