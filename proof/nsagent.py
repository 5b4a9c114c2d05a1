#!/usr/bin/env python3
"""Runs inside one network namespace for the trust-boundary harness (proof/netns_matrix.py).

  nsagent.py listen SPEC_JSON   bind every listener and forwarder in SPEC, print "ready", serve until killed
  nsagent.py probe SPEC_JSON    try a TCP connection to every target in SPEC, print the results as JSON

A listener accepts and closes connections: the harness only asks whether a connection is
admitted. A forwarder stands in for `tailscale serve --tcp`: it accepts on the node's
tailnet address and connects onward to the loopback listener it fronts.
"""
import json
import socket
import sys
import threading

# Generous for a loaded 2-core CI machine; refused probes run in parallel, so it costs little.
PROBE_TIMEOUT = 2.0


def accept_forever(server, forward_to=None):
    while True:
        try:
            connection, _ = server.accept()
        except OSError:
            return
        if forward_to is None:
            connection.close()
            continue
        # `tailscale serve` only admits the client once its own connection to the target
        # succeeds; a refused target means a reset client.
        try:
            onward = socket.create_connection(tuple(forward_to), timeout=PROBE_TIMEOUT)
            onward.close()
            connection.close()
        except OSError:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            connection.close()


def listen(spec):
    servers = []
    for entry in spec:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # A forwarder on the tailnet address may share its port with a listener on every
        # address (NGINX's `listen 443`, say): tailscaled takes serve's port on its address
        # first, and the kernel likewise prefers the socket bound to the exact address.
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        server.bind((entry["bind"], entry["port"]))
        server.listen(64)
        servers.append(server)
        thread = threading.Thread(target=accept_forever, args=(server, entry.get("forward_to")), daemon=True)
        thread.start()
    print("ready", flush=True)
    threading.Event().wait()


def probe_one(target, results, index):
    host, port = target
    try:
        connection = socket.create_connection((host, port), timeout=PROBE_TIMEOUT)
        # A forwarder that cannot reach its target resets the connection right away.
        connection.settimeout(PROBE_TIMEOUT)
        try:
            data = connection.recv(1)
            results[index] = data == b""
        except socket.timeout:
            results[index] = True
        except ConnectionResetError:
            results[index] = False
        finally:
            connection.close()
    except OSError:
        results[index] = False


def probe(spec):
    results = [False] * len(spec)
    threads = [threading.Thread(target=probe_one, args=(target, results, index)) for index, target in enumerate(spec)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(results))


if __name__ == "__main__":
    mode, spec = sys.argv[1], json.loads(sys.argv[2])
    {"listen": listen, "probe": probe}[mode](spec)
