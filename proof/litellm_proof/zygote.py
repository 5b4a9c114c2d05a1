"""Run by the LiteLLM venv's python (litellm_proof/fork.py): imports LiteLLM's proxy once, in
the environment and cwd the node's proxy gets, and forks each start of the proxy (and the
config loader's reading, router_readback.py) from that import instead of importing again.

  <venv>/bin/python zygote.py <venv>/bin/litellm

Why: `import litellm.proxy.proxy_server` costs about 8 CPU-s (4,229 modules); a node's proof
imported it two or three times (the proxy, router_readback.py, the restart with a wrong key).

What a forked start runs is what the node runs: the console script `litellm` is
`from litellm import run_server; sys.exit(run_server())` (litellm 1.106.2: the lazy name
resolves to litellm.proxy.proxy_cli.run_server), and run_server imports
litellm.proxy.proxy_server inside itself before it reads anything of its own; the child calls
that same function with the launcher's argv, in a session of its own, its stdin /dev/null and
its output appended to the proxy's log. LiteLLM forks its own app the same way: `litellm
--run_gunicorn` preloads the app in gunicorn's master and forks the workers (proxy_cli.py,
run_gunicorn_server, `"preload": True` and reserve_process_for_forking); this script reserves
itself the same way, so no native (Rust) runtime can have started before a fork.

The environment audit (why a fork sees what a fresh process would): while it imports, this
script records every variable read through os.environ / os.getenv (LiteLLM's many module-level
os.getenv, httpx's proxy lookup). Two functions walk the whole environment at import and keep
only some names (WALKERS): urllib's getproxies_environment (names ending in `_proxy`, and
REQUEST_METHOD) and LiteLLM's is_otel_v2_enabled (a pydantic-settings class with the one
field LITELLM_OTEL_V2; lru_cached, so a fork keeps the import's answer); for them those
names count as read; any other walk counts as reading every variable. A fork whose
environment differs from the import's in any recorded name is refused (fork.py then starts
the proxy as a fresh process and says so). The restart with a wrong key changes only the
rewritten key file's variable, which LiteLLM reads when it loads the config (os.environ/),
not at import. Reads by native code (OpenBLAS's OPENBLAS_*, OpenSSL's SSL_CERT_*) are not
seen here; the generated env files set none of those names.

Protocol: one JSON line out when imported ({"ready": {...}} or {"error": "..."}); then per
JSON line in ({"argv", "env", "cwd", "log", "readback": null or [config, output]}) one line
out: {"pid": N} of the forked process or {"refused": "why"}; with "audit": true, nothing is
forked and the answer is {"accepted": true} or {"refused": "why"}. The forked process is a
grandchild: its parent exits at once, so it is re-parented to the nearest child subreaper:
litellm_check.py (fork.py's per-proof zygote), or the test run's server.py, which started this
zygote for every proof of the run. For the server a request also has "join": {"pid": the
requesting proof's pid, "cgroup": its cgroup directory or null}: before anything else the
child moves into that cgroup (so the proof's CPU counts it) and into that process's network and
mount namespaces (setns(2)), the ones the proof's own `litellm` would have started in.
"""
import ctypes
import gc
import json
import os
import sys
import threading

SCRIPT = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
READBACK = os.path.join(os.path.dirname(HERE), "router_readback.py")
# The console script's sys.path, not this folder's (whose modules could hide others).
sys.path[0] = os.path.dirname(SCRIPT)

# The answers go out on a copy of stdout; stdout itself becomes the log (stderr), where
# whatever the import prints would land in a fresh `litellm` too.
out = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)

# The environment fork.py started this with (its first line in), and what Python itself added
# at its start (PEP 538: LC_CTYPE=C.UTF-8 in a C locale), which a fresh `litellm` adds too.
given = json.loads(sys.stdin.readline())
start_environment = dict(os.environ)
added = {name: value for name, value in start_environment.items() if given.get(name) != value}
# Read by the interpreter before any code runs: a start that sets them otherwise is refused.
STARTUP = ("LANG", "LC_ALL", "LC_CTYPE", "PYTHON")


def python_path(value):
    """The entries Python's start puts in sys.path after the script's folder for PYTHONPATH."""
    return [os.path.abspath(entry) for entry in value.split(os.pathsep)] if value else []


def absent(value):
    """Whether every entry of a PYTHONPATH value is an absolute path to nothing: such entries
    can supply no module, so an import with them imports what one with others would."""
    return all(os.path.isabs(entry) and not os.path.exists(entry) for entry in (value or "").split(os.pathsep) if value)


# A systemd unit sets PYTHONPATH to its user's ~/.local site-packages, which do not exist on the
# test machine: the one difference of the generated environments that the import sees. Where
# both the import's and a start's entries are absent, the fork puts the start's entries into
# sys.path in place of the import's, where Python's start would have put them (checked here).
IMPORT_PATH = python_path(given.get("PYTHONPATH"))
PATH_SWAPPABLE = absent(given.get("PYTHONPATH")) and sys.path[1:1 + len(IMPORT_PATH)] == IMPORT_PATH
# proxy_cli.py appends the cwd to sys.path at import (`sys.path.append(os.getcwd())`); a zygote
# shared by proofs imports in a cwd of its own, and a fork starts in the proof's.
IMPORT_CWD = os.getcwd()

def warm_routes(app):
    """Match a path no route has against every route of the proxy's app, as a start's first
    request does: the FastAPI of litellm 1.106.2 builds each route's state (its dependants,
    from the endpoints' signatures) lazily at its first match, about 1.7 CPU-s that every
    forked start did again. Built here once, before the fork, from the same code and no input
    of the start's (no config, no request); a route a start adds bumps the router's version,
    and FastAPI builds the changed state again in that start, as it would have."""
    scope = {"type": "http", "method": "GET", "path": "/.spark-gen-warm", "root_path": "", "headers": [],
             "query_string": b"", "http_version": "1.1", "scheme": "http", "app": app}
    for route in app.router.routes:
        route.matches(dict(scope))


Environ = type(os.environ)
ORIGINAL = {name: getattr(Environ, name) for name in ("__getitem__", "__contains__", "__iter__")}
# The walks of the whole environment seen at import, by a function on the stack, and the
# names each one keeps (checked against its source: urllib/request.py's getproxies_environment;
# litellm/integrations/otel/model/config.py's _OTelV2Flag, a pydantic-settings BaseSettings
# with the one field LITELLM_OTEL_V2, case-insensitive, extra="ignore", no env file).
WALKERS = {
    ("getproxies_environment", os.path.join("urllib", "request.py")):
        lambda name: name.lower().endswith("_proxy") or name == "REQUEST_METHOD",
    ("is_otel_v2_enabled", os.path.join("litellm", "integrations", "otel", "model", "config.py")):
        lambda name: name.lower() == "litellm_otel_v2",
}
read, walked = {}, {}


def site():
    """(walker key or None, "file:line" of the first caller outside os.py and this file)."""
    frame, first, walker = sys._getframe(2), None, None
    while frame:
        code = frame.f_code
        if first is None and not (code.co_filename.startswith("<frozen") or code.co_filename.endswith(os.sep + "os.py")
                                  or code.co_filename == __file__):
            first = f"{code.co_filename}:{frame.f_lineno}"
        for key in WALKERS:
            if code.co_name == key[0] and code.co_filename.endswith(os.sep + key[1]):
                walker = key
        frame = frame.f_back
    return walker, first or "?"


def note(name):
    walker, where = site()
    if walker is None:          # a walker's reads are covered by its rule
        read.setdefault(name, where)


def walk():
    walker, where = site()
    walked.setdefault(walker or where, f"{where} ({walker[0]})" if walker else where)


Environ.__getitem__ = lambda self, key: (note(key), ORIGINAL["__getitem__"](self, key))[1]
Environ.__contains__ = lambda self, key: (note(key), ORIGINAL["__contains__"](self, key))[1]
Environ.__iter__ = lambda self: (walk(), ORIGINAL["__iter__"](self))[1]
try:
    from litellm import run_server
    import litellm.proxy.proxy_server  # noqa: F401  (what run_server imports first)
    from litellm.rust_bridge.fork_guard import reserve_process_for_forking
    reserve_process_for_forking("spark-gen's proof zygote")
    warm_routes(litellm.proxy.proxy_server.app)
    # What the import made stays out of the collector's sweeps (gc.freeze, made for a process
    # that forks): a child's first collection would otherwise touch, and so copy, every page.
    gc.collect()
    gc.freeze()
    error = None
except BaseException as failure:  # noqa: BLE001  (reported, then this exits)
    error = f"{type(failure).__name__}: {failure}"
finally:
    for name, method in ORIGINAL.items():
        setattr(Environ, name, method)
changed = sorted(name for name in set(start_environment) | set(os.environ) if start_environment.get(name) != os.environ.get(name))
threads = [thread.name for thread in threading.enumerate() if thread is not threading.main_thread()]
if error is None and threads:
    error = f"Python threads after the import ({', '.join(threads)}): a fork would lose them"


def answer(message):
    out.write(json.dumps(message) + "\n")
    out.flush()


def watched(name, value=None):
    """Where the import could have read this variable ("file:line"), or None."""
    if name == "PYTHONPATH" and PATH_SWAPPABLE and name not in read and absent(value):
        return None
    if name.startswith(STARTUP):
        return "Python's start"
    if name in read:
        return read[name]
    for walker, where in walked.items():
        if walker not in WALKERS or WALKERS[walker](name):
            return f"a walk of the environment at {where}"
    return None


def refusal(environment):
    if changed:
        return f"the import changed the environment ({', '.join(changed)})"
    differing = {name: watched(name, environment.get(name)) for name in sorted(set(environment) | set(given))
                 if environment.get(name) != given.get(name)}
    seen = [f"{name} ({where})" for name, where in differing.items() if where]
    if seen:
        return f"the import read {', '.join(seen)}, which this start sets otherwise"
    return None


CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000


def join(target):
    """Into the requesting proof's cgroup and its network and mount namespaces (as root). The
    mount namespace last: it resets the cwd, which child() sets after."""
    if target.get("cgroup"):
        with open(os.path.join(target["cgroup"], "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    libc = ctypes.CDLL(None, use_errno=True)
    for kind, flag in (("net", CLONE_NEWNET), ("mnt", CLONE_NEWNS)):
        descriptor = os.open(f"/proc/{target['pid']}/ns/{kind}", os.O_RDONLY)
        if libc.setns(descriptor, flag) != 0:
            raise OSError(ctypes.get_errno(), f"setns({kind} of pid {target['pid']})")
        os.close(descriptor)


def fresh_path(request):
    """sys.path as the import left it, with what a start in the request's cwd and PYTHONPATH
    would have had instead: its PYTHONPATH entries (accepted only when absent, watched()) right
    after the console script's folder, where Python's start puts them, and its cwd for the
    import's (proxy_cli.py's append)."""
    path = list(sys.path)
    entries = python_path(request["env"].get("PYTHONPATH"))
    if entries != IMPORT_PATH:
        at = path.index(os.path.dirname(SCRIPT)) + 1
        path[at:at + len(IMPORT_PATH)] = entries
        for entry in IMPORT_PATH:
            sys.path_importer_cache.pop(entry, None)
    return [request["cwd"] if entry == IMPORT_CWD else entry for entry in path]


def child(request):
    """In the grandchild: become what `litellm ARGS` (or router_readback.py) would be."""
    out.close()         # the zygote's answers: nothing a fresh process has
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"] | added)
    sys.path[:] = fresh_path(request)
    def onto(descriptor, target):
        os.dup2(descriptor, target)
        os.close(descriptor)
    onto(os.open(os.devnull, os.O_RDONLY), 0)
    if request.get("readback"):
        config, output = request["readback"]
        onto(os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
        onto(os.open(output + ".err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
        import runpy
        sys.argv = [READBACK, config]
        runpy.run_path(READBACK, run_name="__main__")
        sys.exit(0)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    onto(log, 2)
    sys.argv = list(request["argv"])
    sys.exit(run_server())


def serve():
    answer({"error": error} if error else {"ready": {"read": len(read), "walks": sorted(map(str, walked.values()))}})
    if error:
        return
    for line in sys.stdin:
        request = json.loads(line)
        why = refusal(request["env"])
        if request.get("audit"):        # the audit's answer alone, nothing forked
            answer({"refused": why} if why else {"accepted": True})
            continue
        if why:
            answer({"refused": why})
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        reader, writer = os.pipe()
        middle = os.fork()
        if middle == 0:
            os.close(reader)
            if os.fork():
                os._exit(0)
            # A session of its own before its pid is told, so a killpg of that pid reaches it.
            os.setsid()
            try:
                if request.get("join"):
                    join(request["join"])
            except OSError as failure:
                os.write(writer, f"0 {failure}".encode())
                os._exit(1)
            os.write(writer, str(os.getpid()).encode())
            os.close(writer)
            # Its exit, normal or by an exception, is the interpreter's own, as in a fresh process.
            child(request)
        os.close(writer)
        told = os.read(reader, 512).decode().split(" ", 1)
        os.close(reader)
        os.waitpid(middle, 0)
        pid = int(told[0] or 0)
        answer({"pid": pid} if pid else {"refused": f"the forked child could not join the proof: {told[-1]}"})


if __name__ == "__main__":
    serve()
