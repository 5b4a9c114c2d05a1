"""A node's generated scripts/firewall.sh, run by the real ufw in the node's network namespace,
once per distinct script and world in a test run (netns_matrix.py, ray_check.py: Harness.apply_firewall).

One run of firewall.sh costs 2-3 CPU-seconds: about 23 ufw commands, each a Python start
that re-tests the kernel's netfilter (ufw/backend.py initcaps: ten iptables calls a command)
and 293 iptables calls in all (measured, docs/testing.md). The test command applies the same
script many times: each example's in TrustBoundaryProofTests, again in its break cases that
edit another file, in the Ray clusters, in RealToolTests' netns break cases.

With SPARK_FIREWALL_CACHE naming a directory (the Swift tests make one per `swift test`), the
first proof to apply a script runs it with the real ufw and saves what ufw left in the
kernel; a later apply of the same script in the same world restores that with
iptables-restore and then proves the namespace holds exactly it. What ufw leaves depends on
its inputs alone, and the key holds all of them:

- the script's bytes (a break case that edits firewall.sh is a new script, run by ufw);
- ufw's state and settings, /etc/ufw and /etc/default/ufw (the copies the run binds);
- the namespace's IPv4 addresses (firewall.sh refuses to run on a machine without the node's
  address: `ip -4 -o addr show`);
- what the namespace held before: its iptables and ip6tables rules and the sysctls ufw sets
  (a proof that adds rules first would give ufw another starting point).

What ufw leaves, and what a restore is compared with: `iptables-save` and `ip6tables-save`
(without their comment lines and packet counters), and the values of the sysctls ufw-init
sets from IPT_SYSCTL (/usr/lib/ufw/ufw-init-functions: `sysctl -e -q -p $IPT_SYSCTL`).
Without the variable every apply runs ufw. Each run of ufw's commands forks them from one
Python that imported ufw (ufw_server.py), which halves a run's CPU and leaves its rules as they were.
"""
import fcntl
import hashlib
import os
import re
import shlex
import time

CACHE_VARIABLE = "SPARK_FIREWALL_CACHE"
RECORD = "spark-gen-firewall.sha256"
SEPARATOR = "=== spark-gen firewall state ==="
# iptables-save's chain lines carry packet counters ([packets:bytes]), which traffic changes.
COUNTERS = re.compile(r"\[\d+:\d+\]")
# A holder of the lock runs ufw under run()'s 300 s bound; waiting longer means something is wrong.
LOCK_WAIT = 600


def ufw_sysctl_keys(default_ufw):
    """The keys of the sysctl file ufw-init applies (IPT_SYSCTL of /etc/default/ufw)."""
    path = None
    for line in open(default_ufw):
        if line.startswith("IPT_SYSCTL="):
            path = line.split("=", 1)[1].strip().strip('"')
    if not path or not os.path.exists(path):
        return []
    keys = []
    for line in open(path):
        line = line.strip()
        if line and not line.startswith(("#", ";")) and "=" in line:
            keys.append(line.split("=", 1)[0].strip().replace("/", "."))
    return keys


def capture(in_ns, namespace, sysctl_keys):
    """The namespace's firewall as text: iptables-save, ip6tables-save and ufw's sysctls."""
    script = "iptables-save && echo '%s' && ip6tables-save && echo '%s'" % (SEPARATOR, SEPARATOR)
    if sysctl_keys:
        script += " && sysctl -e " + " ".join(shlex.quote(key) for key in sysctl_keys)
    text = in_ns(namespace, "sh", "-c", script).stdout
    lines = [COUNTERS.sub("[0:0]", line) for line in text.splitlines() if not line.startswith("#")]
    return "\n".join(lines) + "\n"


def restore(in_ns, namespace, state, scratch):
    v4, v6, sysctls = state.split(SEPARATOR + "\n")
    paths = {}
    for name, text in (("v4", v4), ("v6", v6)):
        paths[name] = os.path.join(scratch, f"restore-{namespace}-{name}")
        with open(paths[name], "w") as file:
            file.write(text)
    script = f"iptables-restore < {shlex.quote(paths['v4'])} && ip6tables-restore < {shlex.quote(paths['v6'])}"
    settings = [line.replace(" = ", "=", 1) for line in sysctls.splitlines() if " = " in line]
    if settings:
        script += " && sysctl -q -w " + " ".join(shlex.quote(setting) for setting in settings)
    in_ns(namespace, "sh", "-c", script)


def digest(script_path, namespace, before, in_ns):
    """The key: everything ufw's result depends on (the module's docstring)."""
    hashed = hashlib.sha256()

    def add(label, data):
        hashed.update(f"{label} {len(data)}\n".encode())
        hashed.update(data)

    add("script", open(script_path, "rb").read())
    for root in ("/etc/ufw", "/etc/default/ufw"):
        if os.path.isfile(root):
            add(root, open(root, "rb").read())
            continue
        for directory, subdirectories, files in os.walk(root):
            subdirectories.sort()
            for name in sorted(files):
                # firewall.sh's record of the script ufw holds: its first line removes it, ufw
                # never reads it, and a proof that writes the host's (seen on this machine) must
                # not make every script look new.
                if name == RECORD:
                    continue
                path = os.path.join(directory, name)
                add(path, open(path, "rb").read() if os.path.isfile(path) else b"")
    addresses = re.findall(r"\binet (\S+)", in_ns(namespace, "ip", "-4", "-o", "addr", "show").stdout)
    add("addresses", " ".join(sorted(addresses)).encode())
    add("before", before.encode())
    return hashed.hexdigest()


def locked(path):
    """An exclusive lock on `path`, waited for at most LOCK_WAIT seconds."""
    handle = open(path, "a")
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                handle.close()
                raise RuntimeError(f"{path}: another proof held the firewall lock for {LOCK_WAIT} s")
            time.sleep(0.05)


def apply(in_ns, namespace, script_path, scratch, run_ufw):
    """Runs `run_ufw()` (firewall.sh with the real ufw in `namespace`) or restores what it left
    for the same inputs earlier in the test run. Returns "ufw" or "restored"."""
    cache = os.environ.get(CACHE_VARIABLE)
    if not cache or not os.path.isdir(cache):
        run_ufw()
        return "ufw"
    keys = ufw_sysctl_keys("/etc/default/ufw")
    before = capture(in_ns, namespace, keys)
    key = digest(script_path, namespace, before, in_ns)
    saved = os.path.join(cache, key + ".state")
    # The first proof of a script runs ufw; one that needs it meanwhile waits for its result
    # (it would have spent the same CPU running ufw itself).
    lock = locked(os.path.join(cache, key + ".lock"))
    try:
        if os.path.exists(saved):
            state = open(saved).read()
            restore(in_ns, namespace, state, scratch)
            now = capture(in_ns, namespace, keys)
            if now != state:
                raise RuntimeError(f"{script_path}: the restored firewall of {namespace} is not the one ufw made "
                                   f"(saved {saved})")
            return "restored"
        run_ufw()
        state = capture(in_ns, namespace, keys)
        with open(saved + ".new", "w") as file:
            file.write(state)
        os.rename(saved + ".new", saved)
        return "ufw"
    finally:
        lock.close()
