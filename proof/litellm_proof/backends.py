"""The backends behind LiteLLM (litellm_check.py): one stub_openai.py per api_base, chat
requests, the owner's key against no key and a wrong key (step 6), and a backend that is
down failing only its own models (step 7).
"""
import json
import os
import re
import secrets
import sys
import time

from litellm_proof.harness import (DOWN_TIMEOUT, HERE, RECOVERY_TIMEOUT, REQUEST_TIMEOUT, STUB_TIMEOUT,
    SYSTEMD_PATH, SetupError, http, say, start, stop, tail, url_host, wait_until)
from litellm_proof.tree import write_private


# A chat request as the stub logs it (both APIs).
CHAT_REQUEST = re.compile(r'"POST (?:/v1/chat/completions|/api/chat) ')


class Stubs:
    """One stub_openai.py process per api_base, so that one backend can be taken down alone.
    Each has its own log (appended to across restarts), which tells which backend got what."""

    def __init__(self, plan, workdir, nonce, keys=None):
        self.plan, self.nonce = plan, nonce
        self.processes = {}
        self.logs = {upstream: os.path.join(workdir, f"stub-{index}.log") for index, upstream in enumerate(plan.upstreams)}
        self.workdir = workdir
        self.keys, self.key_files = {}, {}
        self.set_keys(keys or {})

    def set_keys(self, keys):
        """The key each keyed server requires ({upstream: key}), handed to its stub in a 0600 file."""
        for upstream, key in keys.items():
            self.keys[upstream] = key
            self.key_files[upstream] = os.path.join(self.workdir, f"stub-{len(self.key_files)}.key")
            write_private(self.key_files[upstream], key + "\n")

    def ready_url(self, upstream):
        """What the RUNBOOK waits for on that runtime: /api/version (Ollama), /v1/models (the others)."""
        api, _ = self.plan.upstreams[upstream]
        path = "/api/version" if api == "ollama" else "/v1/models"
        return f"http://{url_host(upstream[0])}:{upstream[1]}{path}"

    def start(self, upstream, delay=None):
        """Start the stub of an api_base; with delay, it holds every chat request that long."""
        api, models = self.plan.upstreams[upstream]
        host, port = upstream
        flag = "--ollama" if api == "ollama" else "--serve"
        # A tailnet name's stub listens on the address the name is mapped to.
        process = start([sys.executable, "-S", os.path.join(HERE, "stub_openai.py"), "--nonce", self.nonce,
                         flag, f"{url_host(self.plan.address(host))}:{port}={','.join(models)}"]
                        + (["--delay", str(delay)] if delay else [])
                        + (["--api-key-file", self.key_files[upstream]] if upstream in self.key_files else []),
                        self.logs[upstream], append=True, env={"PATH": SYSTEMD_PATH})
        self.processes[upstream] = process
        # By name, for a named host: the ready probe resolves it as LiteLLM will.
        url = self.ready_url(upstream)
        key = self.keys.get(upstream)
        if not wait_until(lambda: process.poll() is None and http("GET", url, key, timeout=2)[0] == 200, STUB_TIMEOUT):
            raise SetupError(f"stub not answering on {url}:\n{tail(self.logs[upstream])}")
        return api, models

    def stop(self, upstream):
        stop(self.processes.pop(upstream, None))

    def stop_all(self):
        for upstream in list(self.processes):
            self.stop(upstream)

    def counts(self):
        """{upstream: chat requests its stub logged so far} of every api_base."""
        return {upstream: self.chat_requests(upstream) for upstream in self.plan.upstreams}

    def arrived(self, upstream, prompts):
        """How many of the prompts the stub's log shows a body for (logged once read)."""
        try:
            text = open(self.logs[upstream], errors="replace").read()
        except OSError:
            return 0
        return sum(1 for prompt in prompts if prompt in text)

    def chat_requests(self, upstream):
        try:
            return sum(1 for line in open(self.logs[upstream], errors="replace") if CHAT_REQUEST.search(line))
        except OSError:
            return 0

    def received(self, upstream):
        """What the backend got, from its log: ("METHOD path ×count, …", first chat request body)."""
        counts, first_body, last_body = {}, None, None
        try:
            lines = open(self.logs[upstream], errors="replace").read().splitlines()
        except OSError:
            lines = []
        for line in lines:
            body = re.search(r"^stub \S+ \S+ body (.*)$", line)
            if body:
                last_body = body.group(1)
                continue
            request = re.search(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d+)', line)
            if request:
                key = f"{request.group(1)} {request.group(2)} {request.group(3)}"
                counts[key] = counts.get(key, 0) + 1
                if first_body is None and CHAT_REQUEST.search(line):
                    first_body = last_body
        return ", ".join(f"{key} ×{count}" for key, count in counts.items()), first_body

    def tails(self, lines=15):
        return "\n".join(f"--- stub {host}:{port} log (last lines)\n{tail(self.logs[(host, port)], lines)}"
                         for host, port in self.plan.upstreams)


def read_stream(text):
    """(content, saw data: [DONE], error events) of a server-sent-events body."""
    content, done, errors = "", False, []
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        data = line[len("data:"):].strip()
        if data == "[DONE]":
            done = True
            continue
        try:
            event = json.loads(data)
        except ValueError:
            errors.append(data[:200])
            continue
        if isinstance(event, dict) and "error" in event:
            errors.append(json.dumps(event["error"])[:300])
        for choice in (event.get("choices") or []) if isinstance(event, dict) else []:
            content += (choice.get("delta") or {}).get("content") or ""
    return content, done, errors


def error_text(body):
    """'type: message' of a LiteLLM error answer, shortened."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        return f"{error.get('type')}: {' '.join(str(error.get('message')).split())[:240]}"
    return " ".join(str(body).split())[:240]


def chat(base, key, model, stream=False, timeout=REQUEST_TIMEOUT, prompt=None):
    """(status, content or None, body, seconds) of one chat completion through LiteLLM.
    The prompt is new each time unless given, so no response cache answers it."""
    prompt = prompt or f"ping {secrets.token_hex(8)}"
    request = {"model": model, "messages": [{"role": "user", "content": prompt}]}
    if stream:
        request["stream"] = True
    started = time.monotonic()
    status, body = http("POST", f"{base}/v1/chat/completions", key, request, timeout=timeout)
    elapsed = time.monotonic() - started
    if stream and isinstance(body, str):
        content, done, errors = read_stream(body)
        return status, (content if done and not errors else None), body, elapsed
    try:
        return status, body["choices"][0]["message"]["content"] or "", body, elapsed
    except (KeyError, IndexError, TypeError):
        return status, None, body, elapsed


def run_checks(plan, base, owner_key, owner_label, wrong_key, wrong_label, nonce):
    """Yield (ok, description) for every check with every backend up."""
    models_url, chat_url = f"{base}/v1/models", f"{base}/v1/chat/completions"

    # What a load balancer or the smoke script asks first, without a key.
    status, body = http("GET", f"{base}/health/readiness")
    state = body.get("status") if isinstance(body, dict) else None
    yield (status == 200 and state == "healthy",
           f"GET /health/readiness without a key -> {status} {json.dumps(body)[:200] if isinstance(body, dict) else str(body)[:200]!r}"
           " (want 200 healthy; no database here)")

    status, body = http("GET", models_url, owner_key)
    listed = [item.get("id") for item in body.get("data", [])] if isinstance(body, dict) else []
    missing = [name for name in plan.model_names if name not in listed]
    yield (status == 200 and not missing,
           f"GET /v1/models with {owner_label} -> {status}, lists {', '.join(listed) or 'nothing'}"
           + (f" (missing {', '.join(missing)})" if missing else ""))

    apis = {name: plan.upstreams[upstream][0] for name, upstream in plan.routes}
    for name in plan.model_names:
        for stream in (False, True):
            status, content, body, _ = chat(base, owner_key, name, stream)
            came_through = content is not None and nonce in content
            shown = f"stub answered: {content!r}" if came_through else f"no stub answer: {str(body)[:300]!r}"
            yield (status == 200 and came_through,
                   f"POST /v1/chat/completions model={name} ({apis[name]} backend{', streamed' if stream else ''}) "
                   f"with {owner_label} -> {status}, {shown}")

    # Without a key and with a wrong one, both endpoints must refuse: the chat one is
    # what spends the GPU, the models one is what a scanner tries first.
    ping = {"model": plan.model_names[0], "messages": [{"role": "user", "content": "ping"}]}
    for key, label, accepted in ((None, "no key", "401"), (wrong_key, wrong_label, "401, or 400 no_db_connection")):
        answers = [refusal(*http("GET", models_url, key), wrong_key=key is not None),
                   refusal(*http("POST", chat_url, key, ping), wrong_key=key is not None)]
        yield (all(ok for ok, _ in answers),
               f"{label} -> GET /v1/models {answers[0][1]}, POST /v1/chat/completions {answers[1][1]} (want {accepted})")


def down_checks(plan, base, key, nonce, stubs):
    """Yield (ok, description): a backend that is down fails only its own model.

    For each api_base in turn: its stub is stopped (and the port checked closed); each model
    routed there, asked plainly and streamed, must get an error status (not 2xx, not an auth
    refusal) within DOWN_TIMEOUT, with no model's answer in it; no other backend may receive
    a chat request meanwhile (LiteLLM tried no fallback); a model of another api_base must
    still answer 200 right after; then the stub is started again and the model must answer
    200 within RECOVERY_TIMEOUT (no cooldown keeps it away, as when the RUNBOOK switches a
    manual model back on). The descriptions record exactly what LiteLLM answered.
    Models with fallbacks do not fail alone: routing_checks (router.py) proves where they go instead."""
    for upstream, (api, _served) in plan.upstreams.items():
        where = f"{api} backend {upstream[0]}:{upstream[1]}"
        victims = [name for name, routed in plan.routes if routed == upstream]
        others = [name for name, routed in plan.routes if routed != upstream]
        # A model with fallbacks does not fail alone: routing_checks proves where it goes.
        chained = [name for name in victims if plan.chain(name)]
        victims = [name for name in victims if name not in chained]
        if chained:
            say(f"note: {where} down: {', '.join(chained)} fall(s) back (see the outage lines), not checked to fail alone")
        if not victims:
            continue
        stubs.stop(upstream)
        try:
            if http("GET", stubs.ready_url(upstream), timeout=2)[0] is not None:
                yield False, f"{where}: still answering after its stub stopped"
                continue
            before = {other: stubs.chat_requests(other) for other in plan.upstreams if other != upstream}
            for name in victims:
                for stream in (False, True):
                    status, content, body, elapsed = chat(base, key, name, stream, timeout=DOWN_TIMEOUT)
                    text = body if isinstance(body, str) else json.dumps(body)
                    if stream and status == 200:
                        _, done, errors = read_stream(text)
                        answer = f"200 with {'an error event ' + errors[0] if errors else 'no error event'}{'' if done else ', no [DONE]'}"
                    else:
                        answer = f"{status} {error_text(body)}" if status is not None else f"no answer ({body})"
                    error_status = status is not None and status >= 400 and status not in (401, 403)
                    fell_back = nonce in text
                    yield (error_status and not fell_back and elapsed < DOWN_TIMEOUT,
                           f"{where} down: model={name}{' streamed' if stream else ''} -> {answer} in {elapsed:.1f} s"
                           + (" (carries a model's answer: a fallback!)" if fell_back else "")
                           + f" (want an error status within {DOWN_TIMEOUT} s)")
            leaked = [f"{other[0]}:{other[1]}" for other, count in before.items() if stubs.chat_requests(other) != count]
            yield (not leaked, f"{where} down: no other backend got a chat request meanwhile"
                   + (f" (but {', '.join(leaked)} did: a fallback!)" if leaked else " (no fallback)"))
            if others:
                status, content, body, elapsed = chat(base, key, others[0])
                came_through = content is not None and nonce in content
                yield (status == 200 and came_through,
                       f"{where} down: model={others[0]} (another backend) right after -> {status} in {elapsed:.1f} s"
                       + ("" if came_through else f", no stub answer: {str(body)[:200]!r}"))
            else:
                say(f"note: {where} is the config's only backend: no other model to ask while it is down")
        finally:
            stubs.start(upstream)
        started = time.monotonic()
        first = []
        def answers():
            status, content, _, _ = chat(base, key, victims[0], timeout=REQUEST_TIMEOUT)
            first.append(status)
            return status == 200 and content is not None and nonce in content
        back = wait_until(answers, RECOVERY_TIMEOUT, interval=1)
        yield (back, f"{where} back: model={victims[0]} -> "
               + (f"200 after {time.monotonic() - started:.1f} s, {len(first)} request(s), first answer {first[0]}" if back
                  else f"no 200 within {RECOVERY_TIMEOUT} s (answers {first[:3]}…{first[-1:]})"))


def refusal(status, body, wrong_key):
    """(refused as it must be, how it answered).

    No key must be 401. A wrong key is 401 on the node, where LiteLLM looks it up in its
    database and finds nothing; with no database (see DATABASE_VARIABLES in keys.py) LiteLLM
    compares a key with the master key only and refuses any other with 400 and error
    type no_db_connection (litellm/proxy/auth/user_api_key_auth.py) before that lookup.
    That exact answer counts as the refusal it stands for; any other 400, or a 200, fails."""
    error_type = body.get("error", {}).get("type") if isinstance(body, dict) and isinstance(body.get("error"), dict) else None
    if status == 401:
        return True, "401"
    if wrong_key and status == 400 and error_type == "no_db_connection":
        return True, "400 no_db_connection"
    return False, f"{status}" + (f" {error_type}" if error_type else "")
