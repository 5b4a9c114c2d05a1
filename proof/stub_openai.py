#!/usr/bin/env python3
"""A tiny model server that stands in for vLLM, llama.cpp and Ollama in proof/litellm_check.py.

  stub_openai.py [--serve HOST:PORT=MODEL[,MODEL...] ...] [--ollama HOST:PORT=MODEL[,MODEL...] ...]
                 [--nonce TEXT] [--delay SECONDS]

Each --serve or --ollama is one listener (one api_base) and the model names it serves.

--serve speaks the OpenAI-compatible API under /v1, as vLLM and llama.cpp's llama-server do
(LiteLLM's openai/ and hosted_vllm/ providers append /chat/completions to an api_base that
ends in /v1):
  GET  /v1/models            the served models, as vLLM lists them
  POST /v1/chat/completions  a chat.completion whose content carries the nonce and the
                             model asked for (SSE chunks ending in `data: [DONE]` when
                             the request says "stream": true); an unknown model is 404,
                             as vLLM answers it, so a request routed to the wrong
                             api_base fails instead of passing by accident.

--ollama speaks Ollama's native API at the root, as `ollama serve` does (LiteLLM's
ollama_chat/ provider POSTs to <api_base>/api/chat, so its api_base has no /v1):
  GET  /                     "Ollama is running"
  GET  /api/version          {"version": ...}, what the RUNBOOK waits for
  GET  /api/tags             the served models, in Ollama's shape
  POST /api/show             a model's details (LiteLLM asks for them to learn a model's
                             context length and tool support)
  POST /api/chat             Ollama's chat answer {"model", "created_at", "message",
                             "done": true, "done_reason", "prompt_eval_count", "eval_count",
                             ...} carrying the nonce; streamed as NDJSON lines ending in a
                             "done": true line when "stream" is true or absent (Ollama
                             streams by default); an unknown model is Ollama's 404
                             {"error": "model ... not found"}. A name without a tag is
                             name:latest, as Ollama resolves it.

A chat request whose last message contains SLOW_MARKER is streamed slowly: its content in
SLOW_PIECES pieces, each sent SLOW_PAUSE seconds after the one before (the first right
away), so a caller can tell a stream passed on chunk by chunk from one held back until
its end (litellm_check.py does, through NGINX). Other requests are answered at once.

With --delay SECONDS every chat request (of a served model) is held that long before its
answer starts, as a server whose slots are all busy would hold it: litellm_check.py makes
one backend slow this way to fill a model's max_parallel_requests and see the next
request go to its fallback. Each request's body is logged as soon as it is read, so the
caller can tell from the log when the held requests have arrived.

With --api-key-file PATH (the file holds the key alone) every /v1 path of an OpenAI
listener requires `Authorization: Bearer <key>`, as `vllm serve` does when it reads
VLLM_API_KEY (or --api-key): a request without it, or with another key, is 401
{"error": "Unauthorized"} before anything else, so a gateway that does not send the node's
key fails exactly as on the node. The key never appears on the command line.

Each listener serves only its own API: a /v1 path on an Ollama listener, or /api/chat on
an OpenAI one, is 404 as on the real server, so a provider prefix that does not match its
api_base fails. Standard library only: it runs with the system python3.

It prints one `listening HOST:PORT` line per listener once all are bound, and logs every
request on stderr with its JSON body (truncated), so the caller can see what LiteLLM
actually sent. Headers are not logged.
"""
import argparse
import datetime
import ipaddress
import json
import signal
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OLLAMA_VERSION = "0.12.6"   # the version of the generated ollama image; any string would do
LOGGED_BODY = 600           # characters of a request body in the log
SLOW_MARKER = "spark-gen:slow-stream"
SLOW_PIECES = 3
SLOW_PAUSE = 1.0            # seconds between two pieces of a slow stream


def is_slow(request):
    """Whether the request's last message asks for a slow stream (SLOW_MARKER)."""
    messages = request.get("messages") if isinstance(request, dict) else None
    last = messages[-1] if isinstance(messages, list) and messages and isinstance(messages[-1], dict) else {}
    return SLOW_MARKER in str(last.get("content", ""))


def pieces(content, slow):
    """The content in the pieces a stream sends, with the pause before each."""
    if not slow:
        return [(0, content)]
    size = -(-len(content) // SLOW_PIECES)
    return [(SLOW_PAUSE if index else 0, content[index * size:(index + 1) * size]) for index in range(SLOW_PIECES)]


def parse_serve(text):
    """'198.51.100.1:8000=a,b' -> ('198.51.100.1', 8000, ['a', 'b']); IPv6 as [::1]:8000."""
    address, _, models = text.partition("=")
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    ipaddress.ip_address(host)  # only literal addresses: the caller made them local
    names = [name for name in models.split(",") if name]
    if not names:
        raise argparse.ArgumentTypeError(f"{text}: no model names")
    return host, int(port), names


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host, port, models, nonce, api, delay=0.0, api_key=None):
        # The address family follows the literal, so IPv6 api_bases work too.
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), OllamaHandler if api == "ollama" else OpenAIHandler)
        self.models = models
        self.nonce = nonce
        self.api = api
        self.delay = delay
        self.api_key = api_key


class Handler(BaseHTTPRequestHandler):
    server_version = "spark-gen-stub/1"

    def log_message(self, format, *args):
        sys.stderr.write(f"stub {self.server.api} {self.server.server_address[0]}:{self.server.server_address[1]} {format % args}\n")
        sys.stderr.flush()

    def log_body(self, raw):
        text = raw.decode(errors="replace")
        self.log_message("body %s", text if len(text) <= LOGGED_BODY else text[:LOGGED_BODY] + "…")

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self):
        """The request body as JSON: (value, None), or (None, error text)."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if raw:
            self.log_body(raw)
        try:
            return json.loads(raw or b"{}"), None
        except ValueError:
            return None, "body is not JSON"

    def answer(self, model):
        return f"spark-gen stub {self.server.nonce} answered model {model}"

    def start_stream(self, content_type):
        # No Content-Length: the end of the connection ends the body.
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True


class OpenAIHandler(Handler):
    """vLLM's and llama-server's OpenAI-compatible API under /v1."""

    def not_found(self, message):
        # vLLM's error shape, so LiteLLM maps it like a real upstream error.
        self.send_json(404, {"object": "error", "message": message, "type": "NotFoundError", "code": 404})

    def authorized(self):
        """vLLM's check with an API key: every /v1 path needs `Authorization: Bearer KEY`."""
        if self.server.api_key is None or not self.path.startswith("/v1"):
            return True
        if self.headers.get("Authorization") == f"Bearer {self.server.api_key}":
            return True
        self.send_json(401, {"error": "Unauthorized"})
        return False

    def do_GET(self):
        if not self.authorized():
            return
        if self.path.rstrip("/") != "/v1/models":
            return self.not_found(f"no route {self.path}")
        created = int(time.time())
        self.send_json(200, {
            "object": "list",
            "data": [{"id": name, "object": "model", "created": created, "owned_by": "vllm", "root": name}
                     for name in self.server.models],
        })

    def do_POST(self):
        request, error = self.read_json()
        if not self.authorized():
            return
        if error:
            return self.send_json(400, {"object": "error", "message": error, "type": "BadRequestError", "code": 400})
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self.not_found(f"no route {self.path}")
        model = request.get("model")
        if model not in self.server.models:
            return self.not_found(f"The model `{model}` does not exist.")
        content = self.answer(model)
        time.sleep(self.server.delay)
        ident = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        if request.get("stream"):
            return self.stream(ident, created, model, content, usage, is_slow(request))
        self.send_json(200, {
            "id": ident,
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": usage,
        })

    def stream(self, ident, created, model, content, usage, slow=False):
        # Server-sent events as the OpenAI API streams them: a role chunk, the content
        # (in pieces, when slow), a finish chunk, then the [DONE] sentinel.
        self.start_stream("text/event-stream")

        def chunk(delta, finish=None, extra=None):
            body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            body.update(extra or {})
            self.wfile.write(f"data: {json.dumps(body)}\n\n".encode())
            self.wfile.flush()

        chunk({"role": "assistant", "content": ""})
        for pause, piece in pieces(content, slow):
            time.sleep(pause)
            chunk({"content": piece})
        chunk({}, "stop", {"usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


class OllamaHandler(Handler):
    """Ollama's native API (`ollama serve`), at the root of the api_base."""

    def not_found_text(self):
        # What Ollama's router (gin) answers for a path it does not know.
        data = b"404 page not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def resolve(self, name):
        """The served model a request names, as Ollama resolves it (no tag is :latest); None if unknown."""
        if not isinstance(name, str) or not name:
            return None
        candidates = [name] if ":" in name.rsplit("/", 1)[-1] else [name, f"{name}:latest"]
        return next((candidate for candidate in candidates if candidate in self.server.models), None)

    def model_missing(self, name):
        self.send_json(404, {"error": f'model "{name}" not found, try pulling it first'})

    @staticmethod
    def now():
        return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def details(self):
        return {"parent_model": "", "format": "gguf", "family": "stub", "families": ["stub"],
                "parameter_size": "0B", "quantization_level": "none"}

    def do_GET(self):
        path = self.path.rstrip("/")
        if path == "":
            data = b"Ollama is running"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        if path == "/api/version":
            return self.send_json(200, {"version": OLLAMA_VERSION})
        if path == "/api/tags":
            return self.send_json(200, {"models": [
                {"name": name, "model": name, "modified_at": self.now(), "size": 0,
                 "digest": uuid.uuid5(uuid.NAMESPACE_URL, name).hex * 2, "details": self.details()}
                for name in self.server.models]})
        return self.not_found_text()

    def do_POST(self):
        request, error = self.read_json()
        path = self.path.rstrip("/")
        if path not in ("/api/chat", "/api/show"):
            return self.not_found_text()
        if error:
            return self.send_json(400, {"error": error})
        name = request.get("model") or request.get("name")
        model = self.resolve(name)
        if model is None:
            return self.model_missing(name)
        if path == "/api/show":
            return self.send_json(200, {
                "modelfile": f"FROM {model}\n", "parameters": "", "template": "{{ .Prompt }}",
                "details": self.details(), "model_info": {"general.architecture": "stub", "stub.context_length": 4096},
                "capabilities": ["completion"], "modified_at": self.now()})
        if not isinstance(request.get("messages"), list):
            return self.send_json(400, {"error": "messages is required"})
        content = self.answer(model)
        time.sleep(self.server.delay)
        counts = {"total_duration": 1000000, "load_duration": 1000, "prompt_eval_count": 1,
                  "prompt_eval_duration": 1000, "eval_count": 1, "eval_duration": 1000}
        # Ollama streams unless the request says "stream": false.
        if request.get("stream", True) is not False:
            return self.stream(model, content, counts, is_slow(request))
        self.send_json(200, {"model": model, "created_at": self.now(),
                             "message": {"role": "assistant", "content": content},
                             "done_reason": "stop", "done": True, **counts})

    def stream(self, model, content, counts, slow=False):
        # NDJSON as Ollama streams it: one JSON object a line, the content in pieces, then a
        # line with "done": true, the done_reason and the counts, and an empty message.
        self.start_stream("application/x-ndjson")
        middle = len(content) // 2
        for pause, piece in (pieces(content, True) if slow else [(0, content[:middle]), (0, content[middle:])]):
            time.sleep(pause)
            line = {"model": model, "created_at": self.now(), "message": {"role": "assistant", "content": piece}, "done": False}
            self.wfile.write((json.dumps(line) + "\n").encode())
            self.wfile.flush()
        last = {"model": model, "created_at": self.now(), "message": {"role": "assistant", "content": ""},
                "done_reason": "stop", "done": True, **counts}
        self.wfile.write((json.dumps(last) + "\n").encode())
        self.wfile.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="append", type=parse_serve, default=[],
                        help="HOST:PORT=MODEL[,MODEL...]: the OpenAI-compatible API under /v1 (repeatable)")
    parser.add_argument("--ollama", action="append", type=parse_serve, default=[],
                        help="HOST:PORT=MODEL[,MODEL...]: Ollama's native API (repeatable)")
    parser.add_argument("--nonce", default=uuid.uuid4().hex, help="text every answer carries")
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds every chat request is held before its answer starts (default 0)")
    parser.add_argument("--api-key-file", help="a file holding the key every /v1 request of --serve must carry")
    arguments = parser.parse_args()
    if not arguments.serve and not arguments.ollama:
        parser.error("nothing to serve: give --serve or --ollama")
    api_key = open(arguments.api_key_file).read().strip() if arguments.api_key_file else None
    if arguments.api_key_file and not api_key:
        parser.error(f"{arguments.api_key_file} holds no key")

    # Bind everything first, so a port clash fails before anything is announced.
    servers = ([Server(host, port, models, arguments.nonce, "openai", arguments.delay, api_key) for host, port, models in arguments.serve]
               + [Server(host, port, models, arguments.nonce, "ollama", arguments.delay) for host, port, models in arguments.ollama])
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"listening {server.server_address[0]}:{server.server_address[1]}", flush=True)

    # Exit cleanly on SIGTERM as on Ctrl-C; the daemon threads die with the process.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.server_close()


if __name__ == "__main__":
    main()
