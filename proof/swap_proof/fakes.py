"""The programs swap.sh meets in the swap proof (swap_check.py): a fake docker (run, inspect,
stop, rm, logs) and ssh that log every call, run by the wrappers harness.py writes (this module
alone, `python -S`: the standard library only), and the model server a `docker run` starts (a
stub that lists its model, run as swap_check.py's `stub` subcommand).
"""
import glob
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import time

LISTED_AFTER = 1.0      # seconds from `docker run` until a serving model is listed
ENTRYPOINT_TARGET = "/opt/spark-gen/entrypoint.sh"

# docker run's options that take a value (as separate word or --opt=value), and its flags.
RUN_VALUE_OPTIONS = {"--name", "--network", "--net", "--ipc", "--gpus", "--ulimit", "--restart", "-e", "--env",
                     "--env-file", "-v", "--volume", "--device", "--cap-add", "--cap-drop", "--shm-size", "-p",
                     "--publish", "-u", "--user", "-w", "--workdir", "--entrypoint", "--runtime", "--pid",
                     "--label", "-l", "--mount", "--security-opt", "--platform", "--add-host", "--hostname", "-h",
                     "--memory", "-m", "--cpus", "--log-driver", "--log-opt", "--tmpfs", "--group-add"}
RUN_FLAGS = {"-d", "--detach", "--rm", "--init", "--privileged", "-i", "-t", "-it", "--interactive", "--tty"}
SSH_VALUE_OPTIONS = {"-o", "-i", "-p", "-l", "-F", "-J", "-b", "-c", "-E", "-L", "-R", "-D", "-m", "-O", "-Q", "-S", "-W", "-w", "-B"}


# --- the stand-ins (harness.py's docker and ssh wrappers) -----------------------------------------

def log_call(state, node, tool, argv, **extra):
    with open(os.path.join(state, "calls.log"), "a") as handle:
        handle.write(json.dumps({"node": node, "tool": tool, "argv": argv, **extra}) + "\n")


def container_path(state, node, name):
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise SystemExit(f"Error response from daemon: invalid container name {name!r}")
    directory = os.path.join(state, "nodes", node)
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, name + ".json")


def fake_docker(state, argv):
    node = os.environ.get("SWAP_CHECK_NODE", "?")
    log_call(state, node, "docker", argv)
    if not argv:
        print("fake docker: no command", file=sys.stderr)
        return 1
    command, rest = argv[0], argv[1:]
    if command == "rm":
        names = [word for word in rest if not word.startswith("-")]
        force = any(word in ("-f", "--force") for word in rest)
        status = 0
        for name in names:
            path = container_path(state, node, name)
            if not os.path.exists(path):
                print(f"Error response from daemon: No such container: {name}", file=sys.stderr)
                status = 1
                continue
            if json.load(open(path))["running"] and not force:
                print(f"Error response from daemon: cannot remove container {name}: container is running", file=sys.stderr)
                status = 1
                continue
            os.remove(path)
            print(name)
        return status
    if command == "run":
        return fake_docker_run(state, node, rest)
    if command == "inspect":
        fmt, names, index = None, [], 0
        while index < len(rest):
            word = rest[index]
            if word in ("-f", "--format"):
                fmt, index = rest[index + 1], index + 2
                continue
            names.append(word)
            index += 1
        fields = re.findall(r"\{\{\s*([^}]*?)\s*\}\}", fmt or "")
        unknown = [field for field in fields if field not in INSPECT_FIELDS]
        if fmt is None or not fields or unknown:
            print(f"fake docker: inspect format {fmt!r} is not modeled", file=sys.stderr)
            return 2
        status = 0
        for name in names:
            path = container_path(state, node, name)
            if not os.path.exists(path):
                print(f"Error: No such object: {name}", file=sys.stderr)
                status = 1
                continue
            values = inspect_values(json.load(open(path)))
            print(re.sub(r"\{\{\s*([^}]*?)\s*\}\}", lambda match: values[match.group(1)], fmt))
        return status
    if command == "compose":
        # `compose -f FILE restart SERVICE`, what the panel's gate runs: recorded, not modeled further.
        if "restart" not in rest:
            print(f"fake docker: compose {' '.join(rest)} is not modeled", file=sys.stderr)
            return 1
        print(f"restarted {rest[-1]}")
        return 0
    if command == "logs":
        name = rest[-1] if rest else ""
        if not name or not os.path.exists(container_path(state, node, name)):
            print(f"Error response from daemon: No such container: {name}", file=sys.stderr)
            return 1
        print(f"swap-check log line of {name}: ValueError: the stand-in model would not load")
        return 0
    print(f"fake docker: '{command}' is not modeled", file=sys.stderr)
    return 1


# What `docker inspect -f` reads, per mode. Docker sets State.Running=true while a container is in
# restart back-off (moby container/state.go, SetRestarting): Status says "restarting", and a
# crash-looping container reads "running" between restarts while RestartCount grows.
INSPECT_FIELDS = {".State.Running", ".State.Status", ".State.Restarting", ".RestartCount", ".State.ExitCode"}


def inspect_values(record):
    mode, elapsed = record.get("mode", "serve"), time.time() - record.get("started", time.time())
    status, restarts, exit_code = "running", 0, 0
    if mode == "die":
        status, exit_code = "exited", 1
    elif mode == "restarting":
        status, restarts, exit_code = "restarting", 1 + int(elapsed / 0.5), 1
    elif mode == "crashloop":
        restarts = int(elapsed / 1.0)
    return {".State.Running": "true" if status in ("running", "restarting") else "false", ".State.Status": status,
            ".State.Restarting": "true" if status == "restarting" else "false", ".RestartCount": str(restarts),
            ".State.ExitCode": str(exit_code)}


def fake_docker_run(state, node, words):
    options, index, image = {}, 0, None
    while index < len(words):
        word = words[index]
        if word.startswith("-"):
            name, equals, value = word.partition("=")
            if name in RUN_VALUE_OPTIONS:
                if not equals:
                    index += 1
                    value = words[index]
                options.setdefault(name, []).append(value)
            elif word not in RUN_FLAGS:
                print(f"unknown flag: {word}", file=sys.stderr)
                return 125
            else:
                options.setdefault(word, []).append(True)
            index += 1
            continue
        image = word
        break
    if image is None:
        print('"docker run" requires at least 1 argument.', file=sys.stderr)
        return 125
    if "-d" not in options and "--detach" not in options:
        print("fake docker: run without -d would block the script", file=sys.stderr)
        return 125
    name = (options.get("--name") or [None])[-1]
    if not name:
        print("fake docker: run without --name", file=sys.stderr)
        return 125
    for env_file in options.get("--env-file", []):
        if not os.path.isfile(env_file):
            print(f"docker: open {env_file}: no such file or directory.", file=sys.stderr)
            return 125
    served = socket_ = None
    for volume in options.get("-v", []) + options.get("--volume", []):
        parts = volume.split(":")
        if len(parts) >= 2 and parts[1] == ENTRYPOINT_TARGET:
            if not os.path.isfile(parts[0]):
                print(f"fake docker: the entrypoint {parts[0]} is not a file on {node}", file=sys.stderr)
                return 125
            text = open(parts[0]).read()
            match = re.search(r"--served-model-name[ =](\S+)", text) or re.search(r"\bvllm serve (\S+)", text)
            served = match.group(1).strip("'\"") if match else None
            serve = text[text.find("vllm serve"):] if "vllm serve" in text else ""   # not ray start's --port
            host = re.search(r"--host[ =](\S+)", serve)
            port = re.search(r"--port[ =](\d+)", serve)
            socket_ = [host.group(1) if host else "0.0.0.0", int(port.group(1)) if port else 8000] if served else None
    path = container_path(state, node, name)
    if os.path.exists(path):
        print(f'docker: Error response from daemon: Conflict. The container name "/{name}" is already in use.', file=sys.stderr)
        return 125
    mode = json.load(open(os.path.join(state, "modes.json"))).get(name, "serve")
    # Host network: a vLLM whose address and port another running container holds exits at once
    # (address already in use), as a catalog model started before the last one stopped would.
    for other in glob.glob(os.path.join(state, "nodes", node, "*.json")):
        record = json.load(open(other))
        if socket_ and record["running"] and record.get("socket") == socket_:
            mode = "die"
    record = {"image": image, "served": served, "socket": socket_, "running": mode != "die", "mode": mode, "started": time.time(),
              "listed_after": time.time() + LISTED_AFTER if mode == "serve" and served else None}
    with open(path, "w") as handle:
        json.dump(record, handle)
    print(secrets.token_hex(32))
    return 0


def fake_ssh(state, argv):
    node = os.environ.get("SWAP_CHECK_NODE", "?")
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        index += 2 if argv[index] in SSH_VALUE_OPTIONS else 1
    if index >= len(argv):
        print("usage: ssh destination [command]", file=sys.stderr)
        return 255
    destination, remote = argv[index], " ".join(argv[index + 1:])
    user, _, host = destination.rpartition("@")
    targets = json.load(open(os.path.join(state, "ssh-targets.json")))
    log_call(state, node, "ssh", argv, user=user, host=host, command=remote, to=targets.get(host, {}).get("node"))
    if host not in targets:
        print(f"ssh: connect to host {host} port 22: No route to host", file=sys.stderr)
        return 255
    if not remote:
        print("swap-check: an interactive ssh session is not modeled", file=sys.stderr)
        return 255
    target = targets[host]
    # As sshd does: the remote user's shell runs the command line, in that user's home; or, when
    # the target has a gate for the caller's key (authorized_keys: restrict,command=GATE), the
    # gate runs instead with the line in SSH_ORIGINAL_COMMAND, as the runbooks install the key.
    gate = f"{target['stack_dir']}/scripts/ssh-gate-{node}.sh"
    gated = os.path.isfile(os.path.join(target["home"], os.path.relpath(gate, "/home")))
    run = f"exec {shlex.quote(gate)}" if gated else "exec bash -c \"$1\""
    script = (f"mount --make-rprivate / && mount --bind {shlex.quote(target['home'])} /home && "
              f"cd /home/{shlex.quote(user or 'root')} 2>/dev/null; {run}")
    environment = dict(os.environ, SWAP_CHECK_NODE=target["node"])
    if gated:
        # HOME as sshd sets it: bash reads ~/.bashrc when SSH_CLIENT says sshd started it.
        environment.update(SSH_ORIGINAL_COMMAND=remote, SSH_CLIENT=f"{node} 50000 22", HOME=f"/home/{user or 'root'}")
        log_call(state, node, "gate", [gate], command=remote, to=target["node"])
    return subprocess.run(["unshare", "--mount", "bash", "-c", script, "ssh", remote], env=environment).returncode


def stub(state, node, bind, port, path):
    import http.server  # here: the fakes, started for every docker and ssh call, need none of it
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with open(os.path.join(state, "stub.log"), "a") as handle:
                handle.write(self.path + "\n")
            if self.path != path:
                self.send_error(404)
                return
            now, data = time.time(), []
            for record_path in sorted(glob.glob(os.path.join(state, "nodes", node, "*.json"))):
                record = json.load(open(record_path))
                if record["running"] and record["listed_after"] is not None and record["listed_after"] <= now:
                    data.append({"id": record["served"], "object": "model", "created": int(now), "owned_by": "vllm",
                                 "root": record["image"], "parent": None})
            body = json.dumps({"object": "list", "data": data}, separators=(",", ":")).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((bind, port), Handler)
    print("ready", flush=True)
    server.serve_forever()
