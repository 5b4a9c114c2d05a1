"""One import of LiteLLM's proxy per test run, not per proof: the zygote server that the Swift
test process starts once (Tests/SparkTestSupport/LiteLLMZygote.swift) and names to every proof
in SPARK_LITELLM_ZYGOTE (the path of its socket).

  python3 server.py DIR

DIR (a scratch directory of the test process) gets zygote.sock, home/ and server.log. On a
proof's first request for a venv the server starts zygote.py (litellm_proof/zygote.py, run by
that venv's python) with the request's environment, in a network namespace of its own with
only lo (as a proof's), cwd an empty directory; later requests go to a zygote whose audit
accepts their environment (zygote.py: every variable the import read has the same value), and
a new zygote is started only when none does. One zygote serves every proof of the examples:
the generated env files differ in secrets, which the import does not read, and in PYTHONPATH
(systemd units set the user's ~/.local site-packages), which the audit accepts when its entries
are absent (zygote.py). HOME, which sysconfig reads at import (the user base), is the same for
every proof: DIR/home, where each proof binds its own scratch home in its own mount namespace
(litellm_check.py).

Per proof request, one connection: a JSON line {"venv", "env", "argv", "cwd", "log",
"readback"} (zygote.py's request) answered by {"pid": N, "zygote": id} or {"refused": why};
then, once the forked process has exited, {"exit": code}. The forked process joins the
requesting process's cgroup and its network and mount namespaces (SO_PEERCRED names that
process; zygote.py's join), so it counts in the proof's CPU and runs where the proof's own
would. Its parent is this server (a child subreaper: the zygote's middle process exits): it
stays unreaped, so its pid and process group stay the proof's to signal, until the proof
closes the connection; a connection closed while it runs kills its group. {"audit": true,
"zygote": id, "env"} asks that zygote's audit alone.

The server dies with the test process: at EOF on its stdin (a pipe from the test process) or
when its parent changes, it kills its zygotes and every process still forked, and exits.
When SPARK_PROOF_REPORT is set, each import's CPU (user+sys of the zygote when it answered
ready) is recorded in the cost table under its own label, as a proof's would be.
"""
import ctypes
import json
import os
import select
import signal
import socket
import struct
import sys
import threading
import time
import uuid

from zygote_client import ZygoteProcess

HERE = os.path.dirname(os.path.abspath(__file__))
ZYGOTE = os.path.join(HERE, "zygote.py")
STARTUP = ("LANG", "LC_ALL", "LC_CTYPE", "PYTHON")   # read at Python's start: zygote.py's STARTUP
PR_SET_CHILD_SUBREAPER = 36


def startup(environment):
    """The variables Python reads at its start, but PYTHONPATH (zygote.py's audit may accept another)."""
    return {name: value for name, value in environment.items() if name.startswith(STARTUP) and name != "PYTHONPATH"}


def cgroup_of(pid):
    """The cgroup v2 directory of a process, or None (v1, or unreadable)."""
    try:
        lines = open(f"/proc/{pid}/cgroup").read().splitlines()
        mounts = open("/proc/self/mountinfo").read().splitlines()
    except OSError:
        return None
    path = next((line[3:] for line in lines if line.startswith("0::")), None)
    mount = next((line.split(" - ")[0].split()[4] for line in mounts if " - cgroup2 " in line), None)
    if path is None or mount is None:
        return None
    return mount + ("" if path == "/" else path)


class Zygote(ZygoteProcess):
    """zygote.py for one venv, imported in the environment of the first request it served."""

    def __init__(self, number, venv, environment, directory, log):
        self.id, self.venv, self.started = number, venv, time.monotonic()
        cwd = os.path.join(directory, f"cwd-{number}")
        os.makedirs(cwd, mode=0o700, exist_ok=True)
        python = os.path.join(venv, "bin", "python")
        # A network namespace of its own with lo up, as the proof's (nothing to reach at import).
        command = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
                   python, ZYGOTE, os.path.join(venv, "bin", "litellm")]
        super().__init__(command, environment, cwd, log)

    def imported(self):
        record_import(self)

    def startup(self):
        return startup(self.environment)


def record_import(zygote):
    """The import's CPU in the proof cost table (ProofCost.swift's line format)."""
    report = os.environ.get("SPARK_PROOF_REPORT")
    if not report:
        return
    try:
        fields = open(f"/proc/{zygote.process.pid}/stat").read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return
    path = zygote.environment.get("PYTHONPATH")
    label = (f"litellm zygote server: LiteLLM's proxy imported once for this run's proofs "
             f"({'PYTHONPATH=' + path if path else 'no PYTHONPATH'})")
    wall = time.monotonic() - zygote.started
    os.makedirs(os.path.join(report, ".cost"), exist_ok=True)
    with open(os.path.join(report, ".cost", f"{uuid.uuid4()}.tsv"), "w") as handle:
        handle.write(f"{cpu:.2f}\t{wall:.2f}\tproc stat\t{label}\t\n")


class Server:
    def __init__(self, directory):
        self.directory = directory
        self.log = open(os.path.join(directory, "server.log"), "a")
        self.zygotes, self.lock = [], threading.Lock()
        self.forked, self.forked_lock = set(), threading.Lock()

    def note(self, text):
        with self.lock:
            self.log.write(f"server.py: {text}\n")
            self.log.flush()

    def zygote_for(self, venv, environment):
        """(zygote, None) whose audit accepts this environment, starting one if none does."""
        wanted = startup(environment)
        tried = set()
        while True:
            with self.lock:
                candidates = [z for z in self.zygotes if z.venv == venv and z.startup() == wanted and z.id not in tried]
                if not candidates:
                    zygote = Zygote(len(self.zygotes) + 1, venv, environment, self.directory, self.log)
                    self.zygotes.append(zygote)
                    self.log.write(f"server.py: zygote {zygote.id} imports LiteLLM ({venv}, PYTHONPATH "
                                   f"{environment.get('PYTHONPATH')!r})\n")
                    self.log.flush()
                    return zygote
            for zygote in candidates:
                tried.add(zygote.id)
                if zygote.ask({"env": environment, "audit": True}).get("accepted"):
                    return zygote

    def handle(self, connection):
        reader = connection.makefile("r")
        try:
            pid = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
            request = json.loads(reader.readline() or "null")
            if not isinstance(request, dict):
                return
            if request.get("audit"):
                zygote = next((z for z in self.zygotes if z.id == request.get("zygote")), None)
                answer = zygote.ask({"env": request["env"], "audit": True}) if zygote else {"refused": "no such zygote"}
                connection.sendall((json.dumps(answer) + "\n").encode())
                return
            zygote = self.zygote_for(request["venv"], request["env"])
            forward = {key: request.get(key) for key in ("argv", "env", "cwd", "log", "readback")}
            forward["join"] = {"pid": pid, "cgroup": cgroup_of(pid)}
            answer = zygote.ask(forward)
            self.note(f"proof pid {pid}: {'readback' if request.get('readback') else 'litellm'} -> zygote {zygote.id}: {answer}")
            if "pid" not in answer:
                connection.sendall((json.dumps(answer) + "\n").encode())
                return
            self.watch(connection, answer["pid"], zygote.id)
        except (OSError, ValueError, KeyError) as failure:
            try:
                connection.sendall((json.dumps({"refused": f"server.py: {failure!r}"}) + "\n").encode())
            except OSError:
                pass
        finally:
            reader.close()
            connection.close()
            self.reap_strays()

    def watch(self, connection, pid, zygote_id):
        """Tell the pid; tell its exit; reap it when the proof closes the connection (killing its
        group first when it still runs)."""
        with self.forked_lock:
            self.forked.add(pid)
        try:
            process = os.pidfd_open(pid)
            connection.sendall((json.dumps({"pid": pid, "zygote": zygote_id}) + "\n").encode())
            exited = False
            while True:
                readable, _, _ = select.select([connection] + ([] if exited else [process]), [], [])
                if process in readable:
                    status = os.waitid(os.P_PIDFD, process, os.WEXITED | os.WNOWAIT)
                    code = status.si_status if status.si_code == os.CLD_EXITED else -status.si_status
                    exited = True
                    try:
                        connection.sendall((json.dumps({"exit": code}) + "\n").encode())
                    except OSError:
                        break
                if connection in readable and not connection.recv(4096):
                    break
            if not exited:
                kill_group(pid)
            os.waitpid(pid, 0)
            os.close(process)
        finally:
            with self.forked_lock:
                self.forked.discard(pid)

    def reap_strays(self):
        """Children re-parented here that nobody waits for (a forked process's orphans, a child
        that could not join): reaped once they are zombies."""
        mine = {z.process.pid for z in self.zygotes}
        with self.forked_lock:
            mine |= self.forked
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) in mine:
                continue
            try:
                status = open(f"/proc/{name}/status").read()
            except OSError:
                continue
            if f"\nPPid:\t{os.getpid()}\n" in status and "\nState:\tZ" in status:
                try:
                    os.waitpid(int(name), os.WNOHANG)
                except ChildProcessError:
                    pass

    def shutdown(self):
        with self.forked_lock:
            for pid in list(self.forked):
                kill_group(pid)
        for zygote in self.zygotes:
            zygote.stop()
        try:
            os.unlink(os.path.join(self.directory, "zygote.sock"))
        except OSError:
            pass
        os._exit(0)


def kill_group(pid):
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def main():
    directory = os.path.abspath(sys.argv[1])
    os.makedirs(os.path.join(directory, "home"), mode=0o700, exist_ok=True)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"server.py: prctl(PR_SET_CHILD_SUBREAPER): errno {ctypes.get_errno()}")
    server = Server(directory)
    parent = os.getppid()

    def watch_parent():
        # EOF on stdin (the test process's pipe), or the test process gone (re-parented).
        while not select.select([sys.stdin], [], [], 1.0)[0] and os.getppid() == parent:
            pass
        server.shutdown()
    threading.Thread(target=watch_parent, daemon=True).start()
    path = os.path.join(directory, "zygote.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".new")
    os.chmod(path + ".new", 0o600)
    listener.listen(64)
    os.rename(path + ".new", path)      # the socket's path exists once it accepts
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=server.handle, args=(connection,), daemon=True).start()


if __name__ == "__main__":
    main()
