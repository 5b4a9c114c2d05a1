"""The LiteLLM proof's harness (litellm_check.py): pinned versions, bounded waits, the
venv, the network namespace, processes and HTTP requests. Everything the other modules of
this package share; it imports none of them.
"""
import json
import os
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import cached_venv

# proof/, where the entry scripts and the shared helpers (stub_openai.py, ...) live.
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Pinned: newer litellm releases need a certifi newer than the package mirror has.
# prisma is not a dependency of litellm[proxy], but without it LiteLLM's auth path fails
# on import and a request without a key gets 500 instead of 401. Its version is pinned to
# the one measured with this litellm, so a cached venv means one known combination.
REQUIREMENTS = ("litellm[proxy]==1.106.2", "prisma==0.15.0")
DEFAULT_VENV = os.path.expanduser("~/.cache/spark-gen/litellm-venv")

# systemd's default PATH for services: the unit gets nothing of the caller's environment.
# The compose case uses it too: LiteLLM's image sets a PATH of its own, which matters to
# nobody here (the venv's litellm is started by its full path).
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Every wait is bounded.
VENV_TIMEOUT = 900        # a cold install takes about a minute; the mirror may be slow
INSIDE_TIMEOUT = 900      # the whole inside part: stubs, LiteLLM start, checks, the node scripts
STUB_TIMEOUT = 15
LIVENESS_TIMEOUT = 120
REQUEST_TIMEOUT = 30
DOWN_TIMEOUT = 30         # a request for a model whose backend is down must be answered sooner
RECOVERY_TIMEOUT = 30     # and the model must answer again this soon after its backend is back
STOP_GRACE = 10           # SIGTERM, then SIGKILL after this many seconds
REDIS_TIMEOUT = 15        # redis-server answering after its start
CACHE_TIMEOUT = 10        # LiteLLM writes an answer into the cache after it answered
NGINX_TIMEOUT = 60        # certs.sh (an RSA key) and nginx, until LiteLLM answers through it
HOLD = 6.0                # seconds a slowed stub holds each chat request in the spill check
SPILL_WITHIN = 2.0        # the request past a model's cap must be answered sooner (well under HOLD)
ARRIVE_TIMEOUT = 10       # the held requests must reach the slowed stub this soon


class SetupError(Exception):
    """Something needed before the checks could not be done: reported as one failure."""


class ConfigOnly(Exception):
    """--config-only: the checks of the config are done, nothing was started."""


class FailFast(Exception):
    """--fail-fast: a part of the checks failed; the rest is skipped."""


class Interrupted(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C so every finally block cleans up."""


def raise_interrupted(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


def say(text=""):
    print(text, flush=True)


# ---------------------------------------------------------------------------------------
# Outside the namespace: venv, namespace, cleanup


def ensure_venv(venv):
    """Install REQUIREMENTS into venv unless a complete install is already there (cached_venv)."""
    cached_venv.ensure(venv, REQUIREMENTS, "litellm", "about 740 MB, about a minute", say=say, error=SetupError, timeout=VENV_TIMEOUT)


def ip(*arguments):
    result = subprocess.run(["ip", *arguments], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise SetupError(f"ip {' '.join(arguments)}: {result.stderr.strip()}")
    return result.stdout


def namespace_pids(namespace):
    result = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True, timeout=30)
    return [int(pid) for pid in result.stdout.split()] if result.returncode == 0 else []


def remove_namespace(namespace):
    """Kill every process in the namespace (they are all ours: nobody else knows its
    name), then delete it. SIGTERM first so LiteLLM and the inner run clean up."""
    for signum, grace in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 5)):
        pids = namespace_pids(namespace)
        for pid in pids:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while pids and time.monotonic() < deadline:
            time.sleep(0.2)
            pids = namespace_pids(namespace)
        if not pids:
            break
    subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30)


# ---------------------------------------------------------------------------------------
# Inside the namespace: stubs, environment, LiteLLM, checks

# No proxy from the caller's environment may carry a request out of the namespace.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# For NGINX's self-signed certificate, as verify.sh's `curl -k`: the certificate itself is
# checked once, on its own (see nginx_checks).
UNVERIFIED = ssl.create_default_context()
UNVERIFIED.check_hostname = False
UNVERIFIED.verify_mode = ssl.CERT_NONE
TLS_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=UNVERIFIED))


def http(method, url, key=None, body=None, timeout=REQUEST_TIMEOUT, headers_out=None):
    """(status, parsed JSON or text) of one request; status None when none came. The
    response's headers go into the dict headers_out, when given."""
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    opener = TLS_OPENER if url.startswith("https:") else OPENER
    try:
        with opener.open(request, timeout=timeout) as response:
            status, text = response.status, response.read().decode(errors="replace")
            received = response.headers
    except urllib.error.HTTPError as error:
        status, text, received = error.code, error.read().decode(errors="replace"), error.headers
    except (urllib.error.URLError, OSError) as error:
        return None, str(error)
    if headers_out is not None:
        headers_out.update({name.lower(): value for name, value in received.items()})
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as handle:
            return "".join(handle.readlines()[-lines:]).rstrip()
    except OSError:
        return ""


def in_namespace(namespace):
    """Whether this process runs in that namespace (same nsfs inode)."""
    mine, named = os.stat("/proc/self/ns/net"), os.stat(f"/run/netns/{namespace}")
    return (mine.st_dev, mine.st_ino) == (named.st_dev, named.st_ino)


def start(command, log_path, append=False, **options):
    """Start a process in its own session (so its whole group can be stopped, and a
    terminal's Ctrl-C reaches only this script, which then stops it in order)."""
    log = open(log_path, "a" if append else "w")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, **options)


def stop(process):
    if process is None or process.poll() is not None:
        return
    for signum, grace in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_until(condition, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def url_host(host):
    return f"[{host}]" if ":" in host else host


def socket_connect(host, port, timeout=REQUEST_TIMEOUT):
    import socket
    return socket.create_connection((host, port), timeout=timeout)
