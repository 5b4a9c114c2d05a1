"""The gates of swap.sh (swap_check.py): the checks it runs before it switches, each proven
to stop a swap that must not happen.
"""
import glob
import os
import re
import shlex
import signal
import subprocess
import tempfile


def gate_lines(path):
    """The requests a gate allows: its case patterns, each one shell word (a literal line)."""
    lines = []
    for pattern in re.findall(r"^  (.+?)\)   # ", open(path).read(), re.M):
        words = shlex.split(pattern)
        if len(words) != 1:
            raise ValueError(f"{path}: the pattern {pattern!r} is not one literal word")
        lines.append(words[0])
    return lines


def run_gate(harness, node, gate, request, sentinel):
    """The gate as sshd runs it for a key with command=GATE: (exit, stderr, calls made, lines logged)."""
    before, logged = len(harness.calls()), len(harness.logged())
    script = (f"mount --make-rprivate / && mount --bind {shlex.quote(harness.homes[node])} /home && "
              f"cd / && exec {shlex.quote(gate)}")
    env = {"PATH": f"{harness.bin}:/usr/bin:/bin", "SWAP_CHECK_NODE": node, "SSH_ORIGINAL_COMMAND": request,
           "SSH_CLIENT": "192.0.2.9 40000 22", "HOME": os.path.dirname(sentinel)}
    if request is None:
        env.pop("SSH_ORIGINAL_COMMAND")
    # In a process group of its own: a broken gate runs what it should refuse (a shell, a
    # background job), and whatever it left, or all of it on a time-out, is killed with it.
    process = subprocess.Popen(["unshare", "--mount", "bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=os.path.dirname(sentinel), stdin=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        _, err = process.communicate(timeout=30)
        code = process.returncode
    except subprocess.TimeoutExpired:
        code = None
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if code is None:
        try:
            _, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            err = "(a process outside the gate's group still holds its output)"
        err = f"did not return within 30 s: {err or ''}"
    return code, err, harness.calls()[before:], harness.logged()[logged:]


def check_gates(tree, intent, harness, results):
    """Every scripts/ssh-gate-*.sh of the tree, as sshd runs it for a key whose authorized_keys
    line says command=GATE: requests that must be refused (shell syntax, other models, path
    tricks, no request at all) run nothing and are logged as refused; the requests it allows
    that change nothing run the one command they name; every command models.yaml gives the
    panel is one it allows."""
    sentinel = os.path.join(harness.scratch, "pwned")
    touch = f"touch {sentinel}"
    for entry in intent["nodes"]:
        node = entry["name"]
        for path in sorted(glob.glob(os.path.join(tree, "nodes", node, entry["stack_dir"].lstrip("/"), "scripts", "ssh-gate-*.sh"))):
            gate = entry["stack_dir"] + "/scripts/" + os.path.basename(path)
            label = f"{node}: gate {os.path.basename(path)}: "
            try:
                allowed = gate_lines(path)
            except ValueError as error:
                results.check(label + "patterns", [str(error)])
                continue
            # What a gate may allow at all: the panel's and swap.sh's commands, nothing that opens a
            # shell, runs an image or reads files.
            shapes = [r"true", r"/home/\S+/scripts/swap\.sh [\w.-]+", r"/home/\S+/scripts/vllm-worker[\w.-]*\.sh",
                      r"docker logs --tail \d+ vllm-[\w.-]+", r"docker rm -f vllm-[\w.-]+-worker",
                      r"docker inspect -f '\{\{\.State\.Status\}\} \{\{\.RestartCount\}\}' vllm-[\w.-]+",
                      r"docker compose -f /home/\S+/compose\.yaml restart (parakeet|magpie)"]
            loose = [line for line in allowed if not any(re.fullmatch(shape, line) for shape in shapes)]
            results.check(label + f"its {len(allowed)} lines are each a swap, a model's logs or state, a worker's stop or start, "
                          "or a speech service's restart", [f"{line!r} is none of those" for line in loose])
            hostile = [None, "", "bash", "bash -i", "sh -c 'id'", touch, f"$({touch})", f"exec {touch}",
                       f"docker run --rm -v /:/host alpine {touch}", "docker exec -it vllm-x sh", "docker compose down",
                       "scp -t /tmp", "rsync --server -e.LsfxC . /tmp", "internal-sftp"]
            # Each kind of line (its first two words) once: the variants are about the line's shape.
            kinds = {}
            for line in allowed:
                kinds.setdefault(tuple(line.split(" ")[:2]), line)
            for line in kinds.values():
                words = line.split(" ")
                hostile += [f"{line}; {touch}", f"{line} && {touch}", f"{line} || {touch}", f"{line} | {touch}",
                            f"{line}\n{touch}", f"{line}\n", f"{line} $({touch})", f"{line} `{touch}`", f"{line} > {sentinel}",
                            f" {line}", f"{line} ", f"{line}\t", line.upper(), f"{line} extra"]
                if len(words) > 1:
                    hostile += [" ".join(words[:-1] + ["nosuch"]), " ".join(words[:-1] + ["../" + words[-1]]),
                                " ".join(words[:-1] + [words[-1] + ";" + touch]), " ".join(words[:-1])]
                if words[0].startswith("/"):
                    head, tail = os.path.split(words[0])
                    hostile += [" ".join([f"{head}/../{os.path.basename(head)}/{tail}"] + words[1:]),
                                " ".join([os.path.relpath(words[0], "/home/x")] + words[1:]),
                                " ".join([f"/tmp/{tail}"] + words[1:])]
            hostile = [request for request in dict.fromkeys(hostile) if request not in allowed]
            problems = []
            for request in hostile:
                code, err, calls, lines = run_gate(harness, node, gate, request, sentinel)
                ran = [call for call in calls if call["tool"] in ("docker", "ssh")]
                logged = [text for _, text in lines if " refused: " in text]
                if code == 0 or "refused" not in err or ran or os.path.exists(sentinel) or not logged:
                    problems.append(f"{request!r}: exit {code}, {len(ran)} docker/ssh call(s), "
                                    f"{'sentinel made, ' if os.path.exists(sentinel) else ''}{'logged' if logged else 'not logged'}: {err.strip()[:120]}")
                if os.path.exists(sentinel):
                    os.remove(sentinel)
                # A break case (--fail-fast) stops at the first request the gate lets through: a
                # broken gate runs what it is sent, swaps included, each until its time-out.
                if problems and results.fail_fast:
                    break
            results.check(label + f"{len(hostile)} requests outside its {len(allowed)} lines (; && | $( ) ` newline, other models, "
                          "path tricks, none) are refused, run nothing and are logged", problems)

            # The allowed requests that change nothing: each runs exactly its command.
            problems, tried = [], 0
            for line in allowed:
                argv = shlex.split(line)
                if argv[:1] != ["true"] and argv[:2] not in (["docker", "logs"], ["docker", "inspect"]) and argv[2:3] != ["compose"] \
                        and argv[:2] != ["docker", "compose"]:
                    continue
                tried += 1
                code, err, calls, lines = run_gate(harness, node, gate, line, sentinel)
                ran = [call["argv"] for call in calls if call["tool"] == "docker"]
                logged = [text for _, text in lines if " ran: " in text]
                want = [argv[1:]] if argv[0] == "docker" else []
                if "refused" in err or ran != want or not logged:
                    problems.append(f"{line!r}: exit {code}, ran {ran}, want {want}, {'logged' if logged else 'not logged'}: {err.strip()[:120]}")
            results.check(label + f"{tried} allowed requests that change nothing run exactly their command and are logged", problems)

    # ssh-authorize.sh: installs a holder's key with its gate's options, replacing an ungated line.
    for entry in intent["nodes"]:
        node = entry["name"]
        stack = os.path.join(tree, "nodes", node, entry["stack_dir"].lstrip("/"))
        script = os.path.join(stack, "scripts", "ssh-authorize.sh")
        if not os.path.isfile(script):
            continue
        problems = []
        home = tempfile.mkdtemp(prefix="authorize-", dir=harness.scratch)
        key = os.path.join(home, "key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "holder@test", "-f", key], check=True, timeout=30)
        public = open(key + ".pub").read()
        blob = public.split()[1]
        keys = os.path.join(home, ".ssh", "authorized_keys")
        for path in sorted(glob.glob(os.path.join(stack, "scripts", "ssh-gate-*.sh"))):
            holder = os.path.basename(path)[len("ssh-gate-"):-len(".sh")]
            options = re.search(r"^#   (\S+) KEY$", open(path).read(), re.M)
            if not options:
                problems.append(f"{os.path.basename(path)}: its header does not state its authorized_keys options")
                continue
            os.makedirs(os.path.dirname(keys), exist_ok=True)
            with open(keys, "w") as handle:
                handle.write(f"ssh-ed25519 {blob} an-earlier-ungated-line\nssh-ed25519 AAAAotherkey keep-me\n")

            def authorize(*arguments, stdin=public):
                return subprocess.run(["bash", script, *arguments], input=stdin, capture_output=True, text=True, timeout=30,
                                      env={"PATH": "/usr/bin:/bin", "HOME": home})
            for attempt in (1, 2):
                result = authorize(holder)
                lines = open(keys).read().splitlines()
                with_key = [line for line in lines if blob in line]
                if result.returncode != 0:
                    problems.append(f"{holder} (run {attempt}): exit {result.returncode}: {result.stderr.strip()}")
                if with_key != [f"{options.group(1)} ssh-ed25519 {blob} spark-gen:{holder}"]:
                    problems.append(f"{holder} (run {attempt}): the key's lines are {with_key}, want one with {options.group(1)}")
                if "ssh-ed25519 AAAAotherkey keep-me" not in lines:
                    problems.append(f"{holder} (run {attempt}): another key's line was lost")
                if os.stat(keys).st_mode & 0o077:
                    problems.append(f"{holder}: authorized_keys is mode {oct(os.stat(keys).st_mode & 0o777)}")
            before = open(keys).read()
            for arguments, stdin, want in ((["nosuch"], public, 2), ([holder], f'command="/bin/sh" {public}', 1),
                                           ([holder], "", 1), ([holder], f"ssh-ed25519 {blob[:20]};id x\n", 1)):
                result = authorize(*arguments, stdin=stdin)
                if result.returncode != want or open(keys).read() != before:
                    problems.append(f"{arguments} with {stdin[:30]!r}: exit {result.returncode}, want {want}, file unchanged")
        results.check(f"{node}: ssh-authorize.sh installs each holder's key with its gate's options, replacing an ungated line, "
                      "keeping others, refusing keys with options of their own", problems)

    # models.yaml: every command it gives the panel passes the panel's gate on its node.
    addresses = {interface["ip"]: entry for entry in intent["nodes"] for interface in entry["interfaces"]}
    for catalog in sorted(glob.glob(os.path.join(tree, "hosts", "*", "spark-control", "models.yaml"))):
        panel = catalog.split(os.sep)[-3]
        text = open(catalog).read()
        problems, count = [], 0
        for command in re.findall(r"^  (?:activate|logs): ssh (\S+?)@(\S+) (.+)$", text, re.M):
            user, host, line = command
            count += 1
            entry = addresses.get(host)
            gate = entry and os.path.join(tree, "nodes", entry["name"], entry["stack_dir"].lstrip("/"), "scripts", f"ssh-gate-{panel}.sh")
            if not gate or not os.path.isfile(gate):
                problems.append(f"{host}: no gate for {panel}'s key")
            elif line not in gate_lines(gate):
                problems.append(f"{line!r} is not a line the gate of {panel} on {entry['name']} allows")
        if not count:
            problems.append("models.yaml has no activate or logs command")
        results.check(f"{panel}: models.yaml's {count} ssh commands are each a line its gate on the node allows", problems)
