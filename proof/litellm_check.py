"""Proves a generated LiteLLM config with the real LiteLLM proxy.

  litellm_check.py --tree TREE_DIR --node NODE [--other-node NODE2] [--venv DIR] [--only PART]

(--only PART, for a break case of that part: the file checks and the starts it needs, then
that part alone; ONLY_PARTS names them.)

For NODE of a tree written by `spark-gen build` it learns how the node starts LiteLLM, from
either of the two launchers spark-gen generates (a node with both, or neither, fails):

  systemd  etc/systemd/system/litellm.service and its drop-ins: EnvironmentFile=,
           Environment=, UnsetEnvironment=, ExecStart= (whose --config names the config);
  compose  the service of the node's compose.yaml that runs LiteLLM's image
           (ghcr.io/berriai/litellm…): its image's entrypoint runs `litellm "$@"` with the
           service's `command` (the image's CMD is `--port 4000`), the config is the host
           side of the bind mount that holds the container path --config names, the
           environment is `env_file:` then `environment:`. The service must use the host
           network (network_mode: host): in a network of its own, 127.0.0.1 is the
           container and no loopback api_base or --host would mean what it says on the node.

Then, as root:

  1. makes sure a venv holds litellm[proxy]==1.106.2 and prisma (default
     ~/.cache/spark-gen/litellm-venv, reused once complete);
  2. creates a private network namespace sgl-XXXXXXXX with lo up and every api_base
     address of the config on lo as /32, so nothing ever leaves the namespace; an api_base
     whose host is the tailnet (MagicDNS) name of a backend's host in the trust report
     (--intent: its hosts and backends) gets an address of 100.127.254.0/24 there, and the
     inner run gets an /etc/hosts of its own (a private mount namespace) that maps the name
     to it; the named-host lines check that the api_base is that backend's and that the
     name resolves to the stub's address;
  3. runs proof/stub_openai.py there, one process per api_base host:port, speaking the API
     of the runtime behind it: Ollama's native API for ollama_chat/ models, the
     OpenAI-compatible API under /v1 (vLLM, llama.cpp) for openai/ and hosted_vllm/ ones;
  4. writes throwaway env files with test secrets, the way the node's RUNBOOK creates the
     real ones (the RUNBOOK's secrets step must agree with secrets.json on each file's
     variables, mode and owner), and builds the environment systemd or compose would give;
  5. starts the venv's litellm with the launcher's arguments and the config from the tree
     (`--config <tree copy> --host H --port P`), and waits for /health/liveliness. LiteLLM is
     imported by litellm_proof/zygote.py: once per test run by the zygote server that
     SPARK_LITELLM_ZYGOTE names (litellm_proof/server.py; HOME is then its DIR/home, where this
     run binds its scratch home), else once per run of this script, in that environment; the
     proxy, its config loader's reading (6b) and the restart (7b) are forked from it into this
     run's namespaces, unless its audit of what the import read refuses (then a fresh process,
     with a note); a line shows the audit refuses a start whose LITELLM_MODE differs from the
     import's;
  6. checks: /health/readiness answers 200 without a key (no database here); the owner's
     key lists every model_name (200); a chat completion with it round-trips to the stub
     (200), plain and streamed, for every model_name; no key is 401; a wrong key (the other
     node's, with --other-node) is refused: 401, or the 400 no_db_connection that LiteLLM
     answers instead while it has no database (see DATABASE_VARIABLES in litellm_proof/keys.py);
     and the node's own checks (proof/node_scripts.py), after NGINX is up when the node has
     it: scripts/smoke.sh, unchanged, and verify.sh's LiteLLM section, in a private mount
     namespace whose /home holds the throwaway env files at their node paths, send every
     model a one-token completion and pass; then, each api_base's stub stopped in turn, they
     fail and show LiteLLM's error for the models routed there, while /v1/models still lists
     them (a check of the list alone would pass);
  6b. the router settings and timeouts the file sets are the ones LiteLLM holds: its own
     config loader's Router, and the running proxy's GET /router/settings; where NGINX is
     in front, LiteLLM's request timeout is not shorter than NGINX's (router_settings.py);
  7. a backend that is down fails only its own model: for each api_base in turn its stub is
     stopped, each model routed there must get an error status within DOWN_TIMEOUT that
     carries no model's answer, no other backend may receive the request (no fallback),
     another model must still answer 200 right after, and once the stub is back the model
     must answer 200 again within RECOVERY_TIMEOUT. A model with fallbacks is left out
     of this step: step 8 proves where its requests go;
  7b. an api_base whose server's command in the tree requires a key (vllm serve with
     VLLM_API_KEY from an env_file, or --api-key; or the LiteLLM of another owner's gateway
     that offers this owner models, which takes the virtual key it minted: the value of its
     offered-key file, secrets.json kind virtual-key with models) gets a stub that answers
     401 without that key: the value of the serving node's file, staged as its secrets.json says; a copied
     file of this node (secrets.json source kind "copied") holds its source's values, and
     the RUNBOOK must copy it (scp SSH:PATH PATH). The key lines check the stub refuses no
     key and another key and answers the key, and that LiteLLM's chat requests there all
     got 200; the last step rewrites the copy with another key, restarts LiteLLM and wants
     that model's requests to fail on the stub's 401 while another model still answers;
  8. when the config routes between models (router_settings.fallbacks, model_group_alias,
     litellm_params.max_parallel_requests; otherwise a note says there is nothing to route),
     proves each route end to end against the stubs (see routing_checks in litellm_proof/router.py): a model at its
     max_parallel_requests spills the next request to the first model of its chain at
     once, while the held ones finish on its own backend (spill); a model whose backend is
     down is answered down its chain, transitively (outage); a senior model (an empty
     chain) that is down gives its callers an error, by its name and its aliases, and no
     other backend hears of the request (senior); each alias answers from its model and,
     with that model down, from the model's first fallback (alias). The answering backend
     is told by the model its stub names in the answer and by the stub's log.

Every chat request carries a prompt of its own, so LiteLLM's response cache (below) never
answers one in the backend's place; only the cache check repeats one on purpose.

When the node's compose file has a Redis service (proof/redis_run.py), it runs before
LiteLLM as its compose command says, unchanged (compose's `$$` being `$`): the official
image's entrypoint, `sh -c "printf 'requirepass %s\n' \"$REDIS_PASSWORD\" | exec
docker-entrypoint.sh redis-server - --bind … --port … --save '' --appendonly no"` with the
service's env files (the throwaway ones of step 4), Debian's redis-server. Checks: a client
without the password gets NOAUTH on every address it listens on; no process has a
secret of the service's env files on its command line, and redis-server is given no
password option (Redis rewrites its process title, so /proc alone would not show one);
and when the config caches in
Redis (litellm_settings.cache with cache_params.type redis), its host:port is where the
service listens, its password opens Redis (AUTH, PING), and an identical chat request
sent twice reaches the backend once, while Redis holds the answer under a new key
(LiteLLM keeps an in-process copy in front of Redis, so the second answer may come from
there: the key in Redis is what shows that LiteLLM writes the cache there, with the
password). A config that caches in Redis on a node with no Redis service fails.

When the node's compose file has an NGINX service (proof/nginx_run.py), it runs in front of
LiteLLM in a private mount namespace as the container would see its files, the TLS pair
made by the node's scripts/certs.sh, unchanged, run in that namespace (a scratch copy of
the node's /home from the tree is its /home). Through https on the address its conf
listens on: the certificate served is the one certs.sh made and verifies for 127.0.0.1
and each server_name; /health/liveliness 200; /v1/models 200 with the owner's key and 401 without; a streamed
chat completion arrives in several SSE chunks, the first at least (pieces-1)×pause before
the last, from a stub that sends its pieces SLOW_PAUSE apart (stub_openai.py's
SLOW_MARKER), so NGINX passes the stream on as it comes; and no Strict-Transport-Security
header with the self-signed pair (with a certificate the topology names, one is required).
LiteLLM 1.106.2 sends `X-Accel-Buffering: no` with its streams, which turns NGINX's
buffering off for that response whatever proxy_buffering says: the streaming check proves
streaming end to end through this NGINX and this LiteLLM, not the directive by itself.

The database stays out as in step 4 (see DATABASE_VARIABLES in litellm_proof/keys.py), litellm-db or not.

Everything started is killed, the namespace deleted and the temp files removed, also on
failure, SIGTERM or Ctrl-C. Exits 0 when every check passes, 1 otherwise; the last line
is `litellm: N passed, N failed`.

The script runs twice: outside the namespace (venv, namespace, cleanup: it needs PyPI
and the host's `ip`) and, re-executed with `ip netns exec`, inside it (stubs, LiteLLM,
checks), so the proxy, the stubs and every request of the checks share one network
that holds nothing but them.
"""
import argparse
import ipaddress
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# The package litellm_proof/ beside this file, whatever the cwd and however Python was started.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import nginx_run  # noqa: E402
import node_scripts  # noqa: E402
import router_settings  # noqa: E402
from litellm_proof.harness import (ConfigOnly, DEFAULT_VENV, FailFast, INSIDE_TIMEOUT, Interrupted,  # noqa: E402
    LIVENESS_TIMEOUT, STOP_GRACE, SYSTEMD_PATH, SetupError, ensure_venv, http, in_namespace, ip,
    raise_interrupted, remove_namespace, say, start, stop, tail, url_host, wait_until)
from litellm_proof.keys import (copied_file_checks, env_file_checks, keyed_checks, named_host_checks,  # noqa: E402
    secret_files, server_key, test_value, wrong_key_checks)
# LITELLM_IMAGE and ensure_venv: prove.py, postgres_check.py and offer_check.py import them from here.
from litellm_proof.tree import LITELLM_IMAGE, Plan, launcher_files  # noqa: E402,F401
from litellm_proof.backends import Stubs, down_checks, run_checks  # noqa: E402
from litellm_proof.router import routing_checks  # noqa: E402
from litellm_proof.fork import Forked, server_home, zygote as start_zygote  # noqa: E402
from litellm_proof.redis_nginx import Nginx, Redis, nginx_checks, redis_checks  # noqa: E402


# The parts of the checks after the proxy's start, in their order (--only): steps 6, 6b, 7b,
# Redis, NGINX, the node's scripts, 8, 7 and 7b's restart.
ONLY_PARTS = ("proxy", "settings", "keys", "redis", "nginx", "scripts", "routing", "down", "restart")


def outside(arguments):
    if os.geteuid() != 0:
        raise SetupError("needs root: it creates a network namespace")
    # Fail on a wrong tree or node before spending a minute on the venv.
    launcher_files(arguments.tree, arguments.node)
    if arguments.other_node:
        launcher_files(arguments.tree, arguments.other_node)
    ensure_venv(arguments.venv)
    plan = Plan(arguments.tree, arguments.node, arguments.venv, arguments.intent)

    namespace = "sgl-" + secrets.token_hex(4)
    created = False     # never sweep a namespace of the same name that is not ours
    workdir = inner = hosts_dir = None
    try:
        workdir = tempfile.mkdtemp(prefix="sgl-")   # mode 0700; holds the test secrets and logs
        ip("netns", "add", namespace)
        created = True
        ip("-n", namespace, "link", "set", "lo", "up")
        # The api_base addresses become the namespace's own: the proxy's requests to them
        # reach the stub on lo, and no route leads anywhere else.
        local = []
        for host, _port in plan.upstreams:
            address = ipaddress.ip_address(plan.address(host))
            if address.is_loopback:
                continue
            prefix = f"{address}/{address.max_prefixlen}"
            if prefix not in local:
                ip("-n", namespace, "addr", "add", prefix, "dev", "lo")
                local.append(prefix)
        say(f"namespace: {namespace}, lo up" + (f", {' '.join(local)} on lo" if local else ""))

        command = [sys.executable, os.path.abspath(__file__),
                   "--tree", arguments.tree, "--node", arguments.node, "--venv", arguments.venv,
                   "--inside", namespace, "--workdir", workdir]
        if arguments.other_node:
            command += ["--other-node", arguments.other_node]
        if arguments.intent:
            command += ["--intent", arguments.intent]
        if arguments.config_only:
            command.append("--config-only")
        if arguments.fail_fast:
            command.append("--fail-fast")
        for part in arguments.only or ():
            command += ["--only", part]
        named = {host: plan.names[host]["address"] for host, _port in plan.upstreams if host in plan.names}
        if named:
            # The tailnet names LiteLLM dials resolve, as MagicDNS would, to the address their stub
            # listens on: an /etc/hosts of its own (the host's, plus these names) bound over
            # /etc/hosts in a private mount namespace around the inner run. The host's /etc/hosts
            # is never touched; the directory is world-readable, as /etc/hosts is.
            hosts_dir = tempfile.mkdtemp(prefix="sgl-hosts-")
            os.chmod(hosts_dir, 0o755)
            hosts_file = os.path.join(hosts_dir, "hosts")
            with open(hosts_file, "w") as handle:
                handle.write(open("/etc/hosts").read().rstrip("\n") + "\n# spark-gen litellm_check: tailnet names of backends\n")
                handle.writelines(f"{address} {host}\n" for host, address in sorted(named.items()))
            os.chmod(hosts_file, 0o644)
            say(f"hosts:     {', '.join(f'{host} -> {address}' for host, address in sorted(named.items()))} "
                "in the inner run's /etc/hosts (a private mount namespace)")
            command = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                       'mount --bind "$0" /etc/hosts && exec "$@"', hosts_file] + command
        command = ["ip", "netns", "exec", namespace] + command
        inner = subprocess.Popen(command)
        try:
            return inner.wait(timeout=INSIDE_TIMEOUT)
        except subprocess.TimeoutExpired:
            say(f"FAIL the run inside the namespace took longer than {INSIDE_TIMEOUT} s")
            say("litellm: 0 passed, 1 failed")
            return 1
    except (KeyboardInterrupt, Interrupted):
        # Ctrl-C from a terminal reaches the inner run too; a signal sent to this process
        # alone does not, so pass it on, and give it the time to stop what it started.
        if inner is not None and inner.poll() is None:
            inner.send_signal(signal.SIGTERM)
            try:
                inner.wait(timeout=STOP_GRACE + 10)
            except subprocess.TimeoutExpired:
                pass
        raise
    finally:
        # No second Ctrl-C may cut the cleanup short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if created:
            remove_namespace(namespace)
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        if hosts_dir:
            shutil.rmtree(hosts_dir, ignore_errors=True)


def inside(arguments):
    namespace, workdir = arguments.inside, arguments.workdir
    # Never run the proxy on the host's network by mistake.
    if not in_namespace(namespace):
        raise SetupError(f"--inside {namespace}: this process is not in that network namespace")
    plan = Plan(arguments.tree, arguments.node, arguments.venv, arguments.intent)
    plan.nodes_root = os.path.join(workdir, "nodes")
    root, home, cwd = (os.path.join(workdir, part) for part in ("root", "home", "cwd"))
    for path in (home, cwd):
        os.makedirs(path, mode=0o700)
    shared_home = server_home()
    if shared_home:
        # With the test run's zygote server (litellm_proof/server.py), HOME is the same path in
        # every proof, since the import reads it (sysconfig's user base): this proof's scratch
        # home is bound there in this run's own mount namespace (ip netns exec made one).
        subprocess.run(["mount", "--bind", home, shared_home], check=True, timeout=30)
        home = shared_home

    say(f"launcher: {plan.launcher.label}")
    for note in plan.launcher.notes:
        say(f"note: {note}")
    owner_label = f"{plan.node}'s key"
    redis = Redis(plan, workdir) if plan.redis else None
    owner_key = secret_files(plan, root, also=redis.env_files if redis else ())
    if arguments.other_node:
        # The other node's key: made the way its RUNBOOK makes it, a different random sk- key.
        other = Plan(arguments.tree, arguments.other_node, arguments.venv, arguments.intent)
        wrong_key, wrong_label = test_value(other.master_key_variable), f"{other.node}'s key"
    else:
        wrong_key, wrong_label = test_value(plan.master_key_variable), "a wrong key"
    assert wrong_key != owner_key
    environment = plan.launcher.environment(root, home)
    # Test-only: LiteLLM would otherwise fetch its model cost map from the internet.
    environment["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    say(f"environment: {' '.join(sorted(environment))}")

    litellm = nginx = zygote = None
    litellm_log = os.path.join(workdir, "litellm.log")
    nonce = secrets.token_hex(8)
    stubs = Stubs(plan, workdir, nonce)
    results = []

    def wanted(part):
        """--only (a break case of a part): the parts before and after it were proven on the
        unbroken tree; what it needs (the stubs, Redis, the proxy, NGINX) still starts."""
        return not arguments.only or part in arguments.only

    def settled():
        """--fail-fast (a break case): stop after the part of the checks that failed; the parts
        after it were proven on the unbroken tree."""
        if arguments.fail_fast and not all(results):
            raise FailFast()
    try:
        for ok, description in env_file_checks(plan):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        for ok, description in copied_file_checks(plan):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        # Servers that require a key, as their commands in the tree say (server_key).
        plan.keys = {}
        for upstream in plan.upstreams:
            found = server_key(plan, root, upstream)
            if found:
                plan.keys[upstream] = found
        stubs.set_keys({upstream: key for upstream, (key, _origin) in plan.keys.items()})
        for ok, description in named_host_checks(plan):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        if arguments.config_only:
            # The file as LiteLLM's own config loader reads it (router_readback.py builds the
            # Router with the proxy's load_config, as the proxy does at its start), without
            # starting a proxy: for a break case of the config (--config-only).
            say("config only: the files and LiteLLM's config loader; no proxy started")
            # Forked from the test run's import when there is a zygote server (none is started here otherwise).
            reading = router_settings.Reading(plan.venv, plan.config_path, environment, cwd,
                                              start_zygote(plan.venv, environment, cwd, litellm_log) if server_home() else None,
                                              os.path.join(workdir, "readback.json"))
            for ok, description in router_settings.checks(plan, plan.venv, environment, cwd, None, owner_key, bool(plan.nginx),
                                                          started=reading):
                results.append(ok)
                say(f"{'ok  ' if ok else 'FAIL'} {description}")
            raise ConfigOnly()
        settled()
        # LiteLLM imported once, in the proxy's environment, while the stubs start: the proxy
        # and its config loader's reading are forked from it (litellm_proof/fork.py, zygote.py).
        zygote = start_zygote(plan.venv, environment, cwd, litellm_log)
        # A stub on each api_base, serving the models the config routes there.
        for upstream in plan.upstreams:
            api, models = stubs.start(upstream)
            say(f"stub: {upstream[0]}:{upstream[1]} speaks the {api} API, serves {', '.join(models)}")
        # The RUNBOOK starts Redis before LiteLLM, which connects to its cache at startup.
        if redis:
            redis.start(root)

        # The launcher's command, with the venv's litellm and the config from the tree.
        options = plan.exec_argv[1:]
        command = [os.path.join(plan.venv, "bin", "litellm")]
        index = 0
        while index < len(options):
            if options[index] == "--config":
                command += ["--config", plan.config_path]
                index += 2
                continue
            if options[index].startswith("--config="):
                command.append(f"--config={plan.config_path}")
            else:
                command.append(options[index])
            index += 1
        say(plan.launcher.shown)
        say(f"config:    {plan.config_in_argv} is {plan.config_on_node} on the node")
        say(f"running:   ip netns exec {namespace} {shlex.join(command)}")
        # The cwd is a scratch dir rather than the tree's copy of WorkingDirectory, so
        # nothing LiteLLM writes lands in a committed tree; the config path is absolute.
        connect = "127.0.0.1" if plan.host in ("0.0.0.0", "") else ("::1" if plan.host == "::" else plan.host)
        base = f"http://{url_host(connect)}:{plan.port}"
        def launch(environment):
            started = time.monotonic()
            process, refused = zygote.fork(command, environment, cwd, litellm_log)
            if process is None:
                say(f"note: LiteLLM started afresh, not forked from the import: {refused}")
                process = start(command, litellm_log, append=True, env=environment, cwd=cwd)
            if not wait_until(lambda: process.poll() is not None or http("GET", f"{base}/health/liveliness", timeout=2)[0] == 200,
                              LIVENESS_TIMEOUT) or process.poll() is not None:
                state = f"exited with {process.returncode}" if process.poll() is not None else f"not live after {LIVENESS_TIMEOUT} s"
                stop(process)
                raise SetupError(f"LiteLLM {state}:\n{tail(litellm_log)}")
            say(f"litellm: live on {base} after {time.monotonic() - started:.1f} s"
                + (f" (pid {process.pid}, forked from the import)" if refused is None else ""))
            return process
        # LiteLLM's config loader reads the file (router_settings.py) while the proxy starts,
        # both forked from the zygote's one import of LiteLLM.
        reading = router_settings.Reading(plan.venv, plan.config_path, environment, cwd, zygote,
                                          os.path.join(workdir, "readback.json")) if wanted("settings") else None
        litellm = launch(environment)
        plan.owner_key = owner_key
        if isinstance(litellm, Forked):
            # The audit that let it fork refuses what it must (litellm/__init__.py reads LITELLM_MODE).
            ok, description = zygote.audit_check("LITELLM_MODE", environment)
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
            # A PYTHONPATH is accepted only when its entries are absent (zygote.py): one that exists could supply modules.
            ok, description = zygote.audit_check("PYTHONPATH", environment, os.path.dirname(os.path.abspath(__file__)),
                                                 "a folder that exists could supply other modules at Python's start")
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")

        if arguments.only:
            say(f"only: {', '.join(arguments.only)} (--only: a break case of it; the other parts were proven unbroken)")
        for ok, description in run_checks(plan, base, owner_key, owner_label, wrong_key, wrong_label, nonce) if wanted("proxy") else ():
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        # The router settings and timeouts of the file, as LiteLLM itself reads them (router_settings.py).
        settled()
        for ok, description in router_settings.checks(plan, plan.venv, environment, cwd, base, owner_key, bool(plan.nginx),
                                                      started=reading) if wanted("settings") else ():
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        settled()
        for ok, description in keyed_checks(plan, stubs, base, owner_key, nonce) if wanted("keys") else ():
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        settled()
        # What LiteLLM sent each backend so far: the API it spoke, as the stub logged it.
        for upstream in plan.upstreams:
            requests, body = stubs.received(upstream)
            say(f"stub {upstream[0]}:{upstream[1]} received (this check's readiness probe included): {requests or 'nothing'}")
            if body:
                say(f"  first chat request: {body}")
        if (redis or plan.redis_cache) and wanted("redis"):
            for ok, description in redis_checks(plan, redis, environment, base, owner_key, nonce, stubs):
                results.append(ok)
                say(f"{'ok  ' if ok else 'FAIL'} {description}")
        settled()
        if plan.nginx and (wanted("nginx") or wanted("scripts")):
            # It stays up for the node's scripts below, which send their completions through it.
            nginx = Nginx(plan, workdir)
            try:
                nginx.start()
                say(f"nginx:     answering on {nginx.base}")
                for ok, description in nginx_checks(plan, nginx, owner_key, nonce) if wanted("nginx") else ():
                    results.append(ok)
                    say(f"{'ok  ' if ok else 'FAIL'} {description}")
            except SetupError as error:
                results.append(False)
                say(f"FAIL {error}")
        settled()
        # The node's smoke.sh and verify.sh's LiteLLM section, for real: every backend up, then
        # each down in turn (node_scripts.py).
        scripts = node_scripts.NodeScripts(plan, root, workdir, nginx_run.NODE_ROOT,
                                           {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8", "HOME": home})
        for ok, description in (list(scripts.up_checks()) + list(scripts.down_checks(stubs, base, owner_key))
                                if wanted("scripts") else ()):
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        settled()
        if plan.routing and wanted("routing"):
            for ok, description in routing_checks(plan, base, owner_key, nonce, stubs):
                results.append(ok)
                say(f"{'ok  ' if ok else 'FAIL'} {description}")
        elif wanted("routing"):
            say("note: no routing between models (no fallbacks, max_parallel_requests or model_group_alias): each fails alone")
        settled()
        for ok, description in down_checks(plan, base, owner_key, nonce, stubs) if wanted("down") else ():
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        settled()
        # Last: a wrong key in the copy, read by a restarted LiteLLM.
        def restart():
            nonlocal litellm
            stop(litellm)
            litellm = launch(plan.launcher.environment(root, home) | {"LITELLM_LOCAL_MODEL_COST_MAP": "True"})
            return base
        for ok, description in wrong_key_checks(plan, root, stubs, restart, nonce) if wanted("restart") else ():
            results.append(ok)
            say(f"{'ok  ' if ok else 'FAIL'} {description}")
        if not all(results):
            say("--- litellm log (last lines)")
            say(tail(litellm_log, 30))
            say(stubs.tails())
            for process, log in ((redis, redis.log if redis else None), (nginx, nginx.log if nginx else None)):
                if process:
                    say(f"--- {process.label} log (last lines)\n{tail(log, 20)}")
    except SetupError as error:
        results.append(False)
        say(f"FAIL {error}")
    except ConfigOnly:
        pass
    except FailFast:
        say("stopped after the first part with a failure (--fail-fast); the litellm log's last lines:")
        say(tail(litellm_log, 30) if litellm else "(no proxy started)")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if nginx:
            nginx.stop()
        stop(litellm)
        if zygote:
            zygote.stop()
        if redis:
            redis.stop()
        stubs.stop_all()
    say(f"litellm: {results.count(True)} passed, {results.count(False)} failed")
    return 0 if results and all(results) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True, help="output tree of `spark-gen build`")
    parser.add_argument("--node", required=True, help="node whose LiteLLM to check")
    parser.add_argument("--other-node", help="use this node's (different) key as the wrong key")
    parser.add_argument("--intent", help="`spark-gen trust --format json` of the topology: the tailnet names of "
                        "backends' hosts, which an api_base may use")
    parser.add_argument("--venv", default=DEFAULT_VENV, help=f"venv for LiteLLM (default {DEFAULT_VENV})")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop after the first part of the checks with a failure (for break cases)")
    parser.add_argument("--only", action="append", choices=ONLY_PARTS,
                        help="after the file checks and the starts, only this part of the checks (repeatable; for "
                             "a break case of it: the other parts were proven on the unbroken tree)")
    parser.add_argument("--config-only", action="store_true",
                        help="only the env files, the secrets manifest and the config as LiteLLM's own loader reads it "
                             "(router_settings.py); no proxy, no backends: for break cases of the config")
    # Internal: the re-executed run inside the namespace.
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    arguments.tree = os.path.abspath(arguments.tree)
    arguments.venv = os.path.abspath(arguments.venv)
    if arguments.intent:
        arguments.intent = os.path.abspath(arguments.intent)

    # A caller may start this with signals blocked (swift test's process spawner blocks
    # SIGTERM and SIGINT), and every child inherits the mask: a stub or LiteLLM would then
    # ignore each SIGTERM of stop() and wait out STOP_GRACE for its SIGKILL.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    signal.signal(signal.SIGTERM, raise_interrupted)
    signal.signal(signal.SIGHUP, raise_interrupted)
    try:
        return inside(arguments) if arguments.inside else outside(arguments)
    except SetupError as error:
        say(f"FAIL {error}")
        say("litellm: 0 passed, 1 failed")
        return 1
    except (KeyboardInterrupt, Interrupted) as error:
        # The run outside the namespace reports it, once, after its own cleanup.
        if not arguments.inside:
            say(f"litellm: interrupted ({'Ctrl-C' if isinstance(error, KeyboardInterrupt) else error}), cleaned up")
        return 1


if __name__ == "__main__":
    sys.exit(main())
