#!/usr/bin/env python3
"""A tiny OpenAI-compatible server that stands in for vLLM in proof/litellm_check.py.

  stub_openai.py --serve HOST:PORT=MODEL[,MODEL...] [--serve ...] [--nonce TEXT]

Each --serve is one listener (one vLLM api_base) and the served model names it knows.
It answers:
  GET  /v1/models            the served models, as vLLM lists them
  POST /v1/chat/completions  a chat.completion whose content carries the nonce and the
                             model asked for (SSE chunks ending in `data: [DONE]` when
                             the request says "stream": true); an unknown model is 404,
                             as vLLM answers it, so a request routed to the wrong
                             api_base fails instead of passing by accident.
Anything else is 404. Standard library only: it runs with the system python3.

It prints one `listening HOST:PORT` line per listener once all are bound, and logs every
request on stderr, so the caller can see what LiteLLM actually sent.
"""
import argparse
import ipaddress
import json
import signal
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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

    def __init__(self, host, port, models, nonce):
        # The address family follows the literal, so IPv6 api_bases work too.
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), Handler)
        self.models = models
        self.nonce = nonce


class Handler(BaseHTTPRequestHandler):
    server_version = "spark-gen-stub/1"

    def log_message(self, format, *args):
        sys.stderr.write(f"stub {self.server.server_address[0]}:{self.server.server_address[1]} {format % args}\n")

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def not_found(self, message):
        # vLLM's error shape, so LiteLLM maps it like a real upstream error.
        self.send_json(404, {"object": "error", "message": message, "type": "NotFoundError", "code": 404})

    def do_GET(self):
        if self.path.rstrip("/") != "/v1/models":
            return self.not_found(f"no route {self.path}")
        created = int(time.time())
        self.send_json(200, {
            "object": "list",
            "data": [{"id": name, "object": "model", "created": created, "owned_by": "vllm", "root": name}
                     for name in self.server.models],
        })

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.send_json(400, {"object": "error", "message": "body is not JSON", "type": "BadRequestError", "code": 400})
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self.not_found(f"no route {self.path}")
        model = request.get("model")
        if model not in self.server.models:
            return self.not_found(f"The model `{model}` does not exist.")
        content = f"spark-gen stub {self.server.nonce} answered model {model}"
        ident = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        if request.get("stream"):
            return self.stream(ident, created, model, content, usage)
        self.send_json(200, {
            "id": ident,
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": usage,
        })

    def stream(self, ident, created, model, content, usage):
        # Server-sent events as the OpenAI API streams them: a role chunk, the content,
        # a finish chunk, then the [DONE] sentinel. No Content-Length: the connection ends it.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

        def chunk(delta, finish=None, extra=None):
            body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            body.update(extra or {})
            self.wfile.write(f"data: {json.dumps(body)}\n\n".encode())
            self.wfile.flush()

        chunk({"role": "assistant", "content": ""})
        chunk({"content": content})
        chunk({}, "stop", {"usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="append", type=parse_serve, required=True,
                        help="HOST:PORT=MODEL[,MODEL...] (repeatable)")
    parser.add_argument("--nonce", default=uuid.uuid4().hex, help="text every answer carries")
    arguments = parser.parse_args()

    # Bind everything first, so a port clash fails before anything is announced.
    servers = [Server(host, port, models, arguments.nonce) for host, port, models in arguments.serve]
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
