"""The router settings and timeouts of a generated litellm-config.yaml, read back from the real
LiteLLM (litellm_check.py).

Two readings, both by LiteLLM 1.106.2 itself:

  loader  router_readback.py, run by the venv's python in the proxy's environment: the Router
          that the proxy's own config loader builds from the file (timeout, num_retries,
          fallbacks, model_group_alias, each deployment's api_base, max_parallel_requests,
          max_tokens). A key LiteLLM does not read, or reads under another name, shows as a
          difference here.
  proxy   GET /router/settings of the running proxy with the master key
          (management_endpoints/router_settings_endpoints.py): what it reports of its router.

And the timeout in force along the chain: where NGINX is in front of LiteLLM, LiteLLM's
request timeout must not be shorter than NGINX's proxy_read_timeout, or LiteLLM cuts a long
completion that the proxy in front would still wait for.
"""
import json
import os
import re
import subprocess
import threading
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
READBACK_TIMEOUT = 300   # importing the proxy takes over a minute on a busy machine
ROUTING_PARAMS = ("api_base", "max_parallel_requests", "max_tokens")
NGINX_READ_TIMEOUT = re.compile(r"^\s*proxy_read_timeout\s+(\d+)(s?)\s*;", re.M)


def loader_reading(venv, config_path, environment, cwd):
    """(reading, error) of router_readback.py."""
    try:
        result = subprocess.run([os.path.join(venv, "bin", "python"), os.path.join(HERE, "router_readback.py"), config_path],
                                capture_output=True, text=True, timeout=READBACK_TIMEOUT, env=environment, cwd=cwd)
    except subprocess.TimeoutExpired:
        return None, f"router_readback.py did not finish within {READBACK_TIMEOUT} s"
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        return None, f"router_readback.py exited {result.returncode}: {(result.stderr or result.stdout).strip()[-800:]}"
    return json.loads(lines[-1]), None


class Reading:
    """loader_reading in a thread, started at once beside the proxy's start. With a zygote
    (litellm_proof/fork.py: LiteLLM imported once, in this environment) router_readback.py is
    forked from its import instead of importing LiteLLM again (about 8 CPU-s); a refused fork
    runs it as a fresh process. result() waits for it (bounded by READBACK_TIMEOUT)."""

    def __init__(self, venv, config_path, environment, cwd, zygote=None, output=None):
        self._result = (None, "router_readback.py did not run")
        self._thread = threading.Thread(target=self._read, args=(venv, config_path, dict(environment), cwd, zygote, output),
                                        daemon=True)
        self._thread.start()

    def _read(self, venv, config_path, environment, cwd, zygote, output):
        forked = zygote.read_config(config_path, cwd, output, READBACK_TIMEOUT) if zygote else None
        self._result = forked or loader_reading(venv, config_path, environment, cwd)

    def result(self):
        self._thread.join()
        return self._result


def proxy_reading(base, key):
    request = urllib.request.Request(f"{base}/router/settings", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response).get("current_values") or {}, None
    except (OSError, ValueError) as error:
        return None, str(error)


def nginx_read_timeouts(tree, node):
    """The proxy_read_timeout values (seconds) of the node's NGINX confs in the tree."""
    found = []
    for directory, _, files in os.walk(os.path.join(tree, "nodes", node)):
        for name in files:
            if name.endswith(".conf") and os.path.basename(directory) == "nginx":
                found += [int(value) for value, _ in NGINX_READ_TIMEOUT.findall(open(os.path.join(directory, name)).read())]
    return found


def checks(plan, venv, environment, cwd, base, key, has_nginx, started=None):
    """Yield (ok, description). started: a Reading of this config begun earlier."""
    written = plan.config.get("router_settings") or {}
    reading, error = started.result() if started else loader_reading(venv, plan.config_path, environment, cwd)
    if error:
        yield False, f"router settings: LiteLLM's config loader: {error}"
        return
    for name in ("timeout", "num_retries", "fallbacks", "model_group_alias"):
        if name not in written:
            continue
        got = reading.get(name)
        yield got == written[name], f"router_settings.{name}: the file says {written[name]!r}, LiteLLM's Router holds {got!r}"
    for entry in plan.config.get("model_list") or []:
        params = entry.get("litellm_params") or {}
        got = (reading.get("deployments") or {}).get(entry["model_name"]) or {}
        for name in ROUTING_PARAMS:
            if name in params:
                yield (got.get(name) == params[name],
                       f"model {entry['model_name']}: litellm_params.{name} {params[name]!r} in the file, {got.get(name)!r} in LiteLLM's Router")
    # base None: no proxy runs (litellm_check.py --config-only); the loader's reading stands alone.
    reported, error = proxy_reading(base, key) if base else ({}, None)
    if error:
        yield False, f"GET {base}/router/settings: {error}"
    else:
        for name in ("timeout", "num_retries"):
            if name in written and base:
                yield (reported.get(name) == written[name],
                       f"GET /router/settings of the running proxy: {name} {reported.get(name)!r} (the file: {written[name]!r})")
    if has_nginx:
        timeouts = nginx_read_timeouts(plan.tree, plan.node)
        litellm_timeout = reading.get("timeout")
        ok = bool(timeouts) and isinstance(litellm_timeout, (int, float)) and all(litellm_timeout >= value for value in timeouts)
        yield (ok, f"LiteLLM's request timeout ({litellm_timeout} s) is not shorter than NGINX's proxy_read_timeout in front of it "
                   f"({', '.join(f'{value} s' for value in timeouts) or 'none found'})")
