"""Redis and NGINX in the LiteLLM proof (litellm_check.py), as the node's compose services run
them: Redis's password and LiteLLM's cache in it; NGINX's TLS pair, keys and streaming.
"""
import json
import os
import secrets
import shlex
import shutil
import ssl
import tempfile
import time
from http.client import HTTPSConnection

import nginx_run
import redis_run
from stub_openai import SLOW_MARKER, SLOW_PAUSE, SLOW_PIECES
from litellm_proof.harness import (CACHE_TIMEOUT, NGINX_TIMEOUT, REDIS_TIMEOUT, REQUEST_TIMEOUT,
    SYSTEMD_PATH, SetupError, UNVERIFIED, http, say, socket_connect, start, stop, tail, url_host, wait_until)
from litellm_proof.tree import compose_env_files, on_node, read_environment_files, words
from litellm_proof.backends import chat


class Redis:
    """The node's Redis compose service, run as its command says (see redis_run.py)."""

    def __init__(self, plan, workdir):
        path, self.name, self.service = plan.redis
        self.label = f"compose service {self.name} ({os.path.relpath(path, plan.tree)})"
        if self.service.get("network_mode") != "host":
            raise SetupError(f"{self.label} has network_mode {self.service.get('network_mode')!r}, not host: "
                             "LiteLLM would not reach it on the node's addresses, and this check runs it there")
        try:
            command, self.server_words = redis_run.command_words(self.label, self.service)
            entrypoint = [redis_run.unescape(self.label, str(word)) for word in words(self.service.get("entrypoint")) or []]
            self.listeners = redis_run.listen(self.label, self.service)
        except ValueError as error:
            raise SetupError(str(error))
        self.env_files = compose_env_files(self.service, on_node(plan.tree, plan.node, os.path.dirname(path)), self.label)
        # ENTRYPOINT ["docker-entrypoint.sh"], by PATH as in the image; compose's entrypoint replaces it.
        self.argv = (entrypoint or ["docker-entrypoint.sh"]) + command
        self.log = os.path.join(workdir, "redis.log")
        self.process = self.scratch = None
        self.environment = {}

    def start(self, root):
        # Readable by the redis user, who runs the entrypoint again after setpriv: not the
        # private workdir. Holds the entrypoint and the image's WORKDIR (/data) stand-in,
        # which the entrypoint chowns to redis: never a directory of the host.
        self.scratch = tempfile.mkdtemp(prefix="sgl-redis-")
        os.chmod(self.scratch, 0o755)
        self.bin, self.data = os.path.join(self.scratch, "bin"), os.path.join(self.scratch, "data")
        os.mkdir(self.bin, 0o755)
        os.mkdir(self.data, 0o755)
        with open(os.path.join(self.bin, "docker-entrypoint.sh"), "w") as handle:
            handle.write(redis_run.ENTRYPOINT)
        os.chmod(os.path.join(self.bin, "docker-entrypoint.sh"), 0o755)
        self.environment = {"PATH": f"{self.bin}:{SYSTEMD_PATH}", "LANG": "C.UTF-8"}
        self.environment.update(read_environment_files(self.env_files, root, "docker compose would not start the service"))
        for key, value in (self.service.get("environment") or {}).items() if isinstance(self.service.get("environment"), dict) else ():
            self.environment[key] = str(value)
        if shutil.which("redis-server", path=SYSTEMD_PATH) is None:
            raise SetupError("redis-server is not installed (scripts/bootstrap.sh --test installs it)")
        say(f"redis:     {self.label}: {shlex.join(self.argv)}")
        self.process = start(self.argv, self.log, env=self.environment, cwd=self.data)
        host, port = self.address()
        def answers():
            try:
                return redis_run.talk(host, port, [["PING"]], timeout=2)[0] is not None
            except (OSError, ConnectionError):
                return False
        if not wait_until(lambda: self.process.poll() is not None or answers(), REDIS_TIMEOUT) or self.process.poll() is not None:
            state = f"exited with {self.process.returncode}" if self.process.poll() is not None else f"not answering after {REDIS_TIMEOUT} s"
            raise SetupError(f"Redis ({self.label}) {state} on {host}:{port}:\n{tail(self.log)}")
        say(f"redis:     answering on {', '.join(f'{b}:{p}' for b, p in self.listeners)}")

    def address(self, listener=None):
        bind, port = listener or self.listeners[0]
        return ("127.0.0.1" if bind == "0.0.0.0" else bind), port

    def stop(self):
        stop(self.process)
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


# redis-server options whose value is a password.
PASSWORD_OPTIONS = {"requirepass", "masterauth"}


def resolve(value, environment):
    """A config value, with `os.environ/NAME` read from LiteLLM's environment."""
    if isinstance(value, str) and value.startswith("os.environ/"):
        return environment.get(value[len("os.environ/"):])
    return value


def command_lines_holding(secret):
    """pid: command of every process whose command line holds the secret."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = open(f"/proc/{entry}/cmdline", "rb").read()
        except OSError:
            continue
        if secret.encode() in raw:
            found[int(entry)] = raw.replace(b"\0", b" ").decode(errors="replace")[:120]
    return found


def redis_checks(plan, redis, environment, base, key, nonce, stubs):
    """Yield (ok, description): Redis asks for its password, LiteLLM caches there with it."""
    if redis is not None:
        for listener in redis.listeners:
            host, port = redis.address(listener)
            try:
                reply = redis_run.talk(host, port, [["PING"]])[0]
            except (OSError, ConnectionError) as error:
                reply = f"no answer ({error})"
            yield (isinstance(reply, str) and reply.startswith("-NOAUTH"),
                   f"redis {host}:{port}: a client without the password -> {reply} (want NOAUTH)")
        # Redis rewrites its process title ("redis-server 127.0.0.1:6379") as it starts, so
        # /proc would not show a password given as an argument: the command's redis-server
        # arguments are read for one, and /proc is searched for the values all the same
        # (a shell whose printf is no builtin, say, would show it there).
        secrets_of_redis = {name: value for name, value in redis.environment.items()
                            if name not in ("PATH", "LANG") and len(value) >= 16}
        leaked = {f"{name} in pid {pid}: {command}" for name, value in secrets_of_redis.items()
                  for pid, command in command_lines_holding(value).items()}
        server_words = redis.server_words[redis.server_words.index("redis-server") + 1:] if "redis-server" in redis.server_words else []
        leaked |= {f"redis-server is given {word}" for word in server_words if word.lstrip("-") in PASSWORD_OPTIONS}
        yield (bool(secrets_of_redis) and not leaked,
               f"no command line holds a secret of {redis.name}'s env files ({', '.join(sorted(secrets_of_redis)) or 'none found'}),"
               " and redis-server gets no password option"
               + (f": {'; '.join(sorted(leaked))}" if leaked else ""))
    cache = plan.redis_cache
    if cache is None:
        if redis is not None:
            say(f"note: {redis.label} runs, but the config caches nothing in it")
        return
    host, port = resolve(cache.get("host", "localhost"), environment), resolve(cache.get("port", 6379), environment)
    password = resolve(cache.get("password"), environment)
    host = "127.0.0.1" if host == "localhost" else str(host)
    where = f"the config's cache_params {host}:{port}"
    if redis is None:
        yield False, f"{where}: the config caches in Redis but no compose service of node {plan.node} runs Redis"
        return
    served = any(int(port) == p and (bind == host or bind == "0.0.0.0") for bind, p in redis.listeners)
    yield served, f"{where} is where {redis.name} listens ({', '.join(f'{b}:{p}' for b, p in redis.listeners)})"
    if not served:
        return
    port = int(port)
    auth = [["AUTH", password]] if password else []
    try:
        replies = redis_run.talk(host, port, auth + [["PING"]])
    except (OSError, ConnectionError) as error:
        replies = [f"no answer ({error})"]
    yield (replies == (["OK"] if auth else []) + ["PONG"],
           f"redis {host}:{port} with the config's password ({cache.get('password')}) -> {', '.join(map(str, replies))} (want OK, PONG)")

    def cached_keys():
        """{key: value} of every string key in Redis."""
        found = {}
        try:
            names = redis_run.talk(host, port, auth + [["KEYS", "*"]])[-1]
            for name in names if isinstance(names, list) else []:
                value = redis_run.talk(host, port, auth + [["GET", name]])[-1]
                found[name.decode(errors="replace")] = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
        except (OSError, ConnectionError):
            pass
        return found

    model = plan.model_names[0]
    upstream = dict(plan.routes)[model]
    prompt = f"cache me {secrets.token_hex(8)}"
    before_keys = cached_keys()
    before = stubs.chat_requests(upstream)
    first = chat(base, key, model, prompt=prompt)
    stored = {}
    def written():
        stored.update({name: value for name, value in cached_keys().items()
                       if name not in before_keys and first[1] and first[1] in value})
        return bool(stored)
    wait_until(written, CACHE_TIMEOUT, interval=0.3)
    second = chat(base, key, model, prompt=prompt)
    reached = stubs.chat_requests(upstream) - before
    answered = all(status == 200 and content is not None and nonce in content for status, content, _, _ in (first, second))
    if stored:
        name = sorted(stored)[0]
        try:
            ttl = redis_run.talk(host, port, auth + [["TTL", name]])[-1]
        except (OSError, ConnectionError):
            ttl = None
        # What the operator will want to know: a TTL of -1 is kept until Redis runs out of memory.
        shown = f" ({name[:16]}…, TTL {'none: kept until evicted' if ttl == -1 else f'{ttl} s'})"
    else:
        new_keys = {name: value for name, value in cached_keys().items() if name not in before_keys}
        shown = f" (none within {CACHE_TIMEOUT} s; new keys: " + "; ".join(f"{name[:16]}…={value[:300]!r}" for name, value in new_keys.items()) + ")"
    yield bool(stored), f"redis {host}:{port} holds LiteLLM's answer to model={model} under a new key" + shown
    yield (answered and reached == 1 and first[1] == second[1],
           f"the same chat request to model={model} twice -> {first[0]}, {second[0]}; the backend got {reached} of them (want 1: the second from the cache)")


class Nginx:
    """The node's NGINX compose service, in a private mount namespace (see nginx_run.py)."""

    def __init__(self, plan, workdir):
        path, self.name, service, mounts = plan.nginx[0]
        self.label = f"compose service {self.name} ({os.path.relpath(path, plan.tree)})"
        self.scratch = os.path.join(workdir, "nginx")
        os.mkdir(self.scratch, 0o700)
        self.setup = nginx_run.Setup(plan.tree, plan.node, path, self.name, service, mounts, self.scratch)
        if self.setup.problems:
            raise SetupError(f"{self.label}: {'; '.join(self.setup.problems)}")
        try:
            listeners = nginx_run.service_listeners(plan.tree, plan.node, mounts)
        except ValueError as error:
            raise SetupError(f"{self.label}: {error}")
        tls = [(bind, port) for bind, port in listeners if port != 80] or listeners
        bind, self.port = tls[0]
        self.host = "127.0.0.1" if bind == "0.0.0.0" else bind
        self.base = f"https://{url_host(self.host)}:{self.port}"
        # What the confs call the server, for the certificate's names.
        self.server_names = sorted({name for source, _ in self.setup.confs
                                    for args in nginx_run.directives(nginx_run.parse(open(self.setup.conf_in_tree(source)).read()), "server_name")
                                    for name in args if name not in ("_", "") and not name.startswith(("~", "*", "."))})
        self.self_signed = self.setup.certs_on_node is not None
        # The certificate NGINX serves, copied out of the private namespace to check it here.
        self.cert = os.path.join(self.scratch, "served-cert.pem")
        self.log = os.path.join(workdir, "nginx.log")
        self.process = None

    def start(self):
        if self.self_signed:
            source = self.setup.ssl_sources().get("cert")
            after = f"cp {shlex.quote(source)} {shlex.quote(self.cert)}" if source else ""
            script = self.setup.script(["-g", "daemon off;"], after_certs=after, certs_runs=1)
        else:
            script = self.setup.script(["-g", "daemon off;"], certs_runs=0)
            self.cert = os.path.join(self.scratch, "stand-in-cert.pem")
        for note in self.setup.notes:
            say(f"note: {note}")
        say(f"nginx:     {self.label}: nginx -g 'daemon off;' in a private mount namespace, {self.base}")
        self.process = start(["unshare", "--mount", "bash", "-c", script], self.log)
        if not wait_until(lambda: self.process.poll() is not None or http("GET", f"{self.base}/health/liveliness", timeout=3)[0] == 200,
                          NGINX_TIMEOUT) or self.process.poll() is not None:
            state = f"exited with {self.process.returncode}" if self.process.poll() is not None else f"no 200 after {NGINX_TIMEOUT} s"
            raise SetupError(f"NGINX ({self.label}) {state} on {self.base}/health/liveliness:\n{tail(self.log)}")

    def stop(self):
        stop(self.process)


def slow_stream(nginx, key, model, timeout=REQUEST_TIMEOUT):
    """(status, headers, [(seconds, data)] of every SSE data line, error) of a streamed chat
    completion through NGINX whose stub answer comes slowly (SLOW_MARKER)."""
    body = json.dumps({"model": model, "stream": True,
                       "messages": [{"role": "user", "content": f"{SLOW_MARKER} {secrets.token_hex(8)}"}]})
    connection = HTTPSConnection(nginx.host, nginx.port, context=UNVERIFIED, timeout=timeout)
    events = []
    try:
        started = time.monotonic()
        connection.request("POST", "/v1/chat/completions", body,
                           {"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
        response = connection.getresponse()
        while True:
            line = response.readline()
            if not line:
                break
            if line.startswith(b"data:"):
                events.append((time.monotonic() - started, line[5:].strip().decode(errors="replace")))
        return response.status, {name.lower(): value for name, value in response.getheaders()}, events, None
    except OSError as error:
        return None, {}, events, str(error)
    finally:
        connection.close()


def nginx_checks(plan, nginx, key, nonce):
    """Yield (ok, description) of LiteLLM through NGINX (see the docstring)."""
    # The certificate: the one certs.sh made (or the stand-in), valid for the names a client uses.
    for name in [nginx.host] + nginx.server_names:
        try:
            context = ssl.create_default_context(cafile=nginx.cert)
            with socket_connect(nginx.host, nginx.port) as raw, context.wrap_socket(raw, server_hostname=name) as tls:
                subject = dict(item[0] for item in tls.getpeercert()["subject"])
            yield True, f"nginx {nginx.base}: the certificate verifies against {'scripts/certs.sh' if nginx.self_signed else 'the stand-in'}'s for {name} (CN={subject.get('commonName')})"
        except (OSError, ssl.SSLError, ValueError) as error:
            yield False, f"nginx {nginx.base}: the certificate does not verify for {name} against {nginx.cert}: {error}"

    headers = {}
    status, body = http("GET", f"{nginx.base}/health/liveliness", headers_out=headers)
    yield status == 200, f"GET {nginx.base}/health/liveliness -> {status}"
    hsts = headers.get("strict-transport-security")
    if nginx.self_signed:
        yield hsts is None, "nginx sends no Strict-Transport-Security with the self-signed pair" + (f" (it sends {hsts!r})" if hsts else "")
    else:
        yield hsts is not None, f"nginx sends Strict-Transport-Security with the topology's certificate ({hsts!r})"
    status, body = http("GET", f"{nginx.base}/v1/models", key)
    listed = [item.get("id") for item in body.get("data", [])] if isinstance(body, dict) else []
    yield (status == 200 and all(name in listed for name in plan.model_names),
           f"GET {nginx.base}/v1/models with the owner's key -> {status}, lists {', '.join(listed) or 'nothing'}")
    status, body = http("GET", f"{nginx.base}/v1/models")
    yield status == 401, f"GET {nginx.base}/v1/models without a key -> {status} (want 401)"

    model = plan.model_names[0]
    status, headers, events, error = slow_stream(nginx, key, model)
    content, done, chunks, times = "", False, 0, []
    for seconds, data in events:
        if data == "[DONE]":
            done, end = True, seconds
            continue
        try:
            event = json.loads(data)
        except ValueError:
            continue
        piece = "".join((choice.get("delta") or {}).get("content") or "" for choice in event.get("choices") or [])
        if piece:
            content += piece
            chunks += 1
            times.append(seconds)
    spread = SLOW_PAUSE * (SLOW_PIECES - 1)
    early = bool(times) and done and end - times[0] >= 0.8 * spread
    yield (status == 200 and nonce in content and done and chunks >= SLOW_PIECES and early,
           f"streamed POST {nginx.base}/v1/chat/completions model={model} -> {status}, {chunks} content chunk(s) at "
           f"{', '.join(f'{t:.1f}' for t in times)} s, [DONE] {'at ' + format(end, '.1f') + ' s' if done else 'missing'}"
           f" (want >= {SLOW_PIECES} chunks, the first >= {0.8 * spread:.1f} s before the end: NGINX holds nothing back)"
           + (f"; {error}" if error else "") + ("" if nonce in content else f"; no stub answer: {content[:120]!r}"))
