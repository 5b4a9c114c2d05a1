"""One import of LiteLLM per test run (Remote: the zygote server named by SPARK_LITELLM_ZYGOTE,
litellm_proof/server.py), or per node's proof when no server is given (Zygote: prove.py run by
hand): zygote.py, run by the venv's python in the proxy's own environment, imports the proxy
once; the proxy's starts and the config loader's reading (router_readback.py) are forked from
it. See zygote.py for what a forked start runs and the environment audit that refuses a fork
whose environment the import could have read otherwise; a refused or failed fork falls back to
a fresh process.
"""
import ctypes
import json
import os
import select
import socket
import subprocess
import time

from litellm_proof.harness import HERE, STOP_GRACE
from litellm_proof.zygote_client import ZygoteProcess

ZYGOTE = os.path.join(HERE, "litellm_proof", "zygote.py")
PR_SET_CHILD_SUBREAPER = 36
SERVER = "SPARK_LITELLM_ZYGOTE"
CONNECT_TIMEOUT = 10      # the server's socket exists once it listens; it starts with the test run


def server_home():
    """The HOME every proof of this test run gives LiteLLM when a zygote server imports it (the
    server's DIR/home, where each proof binds its own scratch home), or None."""
    path = os.environ.get(SERVER, "")
    return os.path.join(os.path.dirname(path), "home") if path.startswith("/") else None


def zygote(venv, environment, cwd, log_path):
    """The test run's zygote server when SPARK_LITELLM_ZYGOTE names one, else a zygote of this proof."""
    if server_home():
        return Remote(os.environ[SERVER], venv, environment)
    return Zygote(venv, environment, cwd, log_path)


def become_subreaper():
    """Forked processes are re-parented to this process (prctl(2)), so it waits for them as
    for its own children."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


class Forked:
    """A forked process re-parented to this one: what harness.stop() and the checks use of
    subprocess.Popen (pid, poll, wait, returncode)."""

    def __init__(self, pid):
        self.pid, self.returncode = pid, None

    def poll(self):
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode


class Zygote(ZygoteProcess):
    """zygote.py, started at once; its import runs while the caller goes on."""

    def __init__(self, venv, environment, cwd, log_path):
        become_subreaper()
        self.log = open(log_path, "a")
        super().__init__([os.path.join(venv, "bin", "python"), ZYGOTE, os.path.join(venv, "bin", "litellm")], environment, cwd,
                         self.log)

    def audit_check(self, variable, environment, value=None, reason="LiteLLM reads it at import"):
        """(ok, description): the audit refuses a start whose `variable` (one the import reads)
        differs from the import's, so it is shown to work in every run; nothing is forked."""
        value = value or ("PRODUCTION" if environment.get(variable) != "PRODUCTION" else "DEV")
        changed = dict(environment, **{variable: value})
        answer = self.ask({"argv": [], "env": changed, "cwd": "/", "log": None, "readback": None, "audit": True})
        why = answer.get("refused") or "accepted"
        return (variable in why and "zygote.py:" not in why,
                f"fork audit: a start with {variable}={changed[variable]} (this proof's: {environment.get(variable)!r}) "
                f"-> {why} (want refused: {reason})")

    def fork(self, argv, environment, cwd, log_path=None, readback=None):
        """(Forked, None) or (None, why it was refused)."""
        ok, why = self.ready()
        if not ok:
            return None, why
        answer = self.ask({"argv": argv, "env": dict(environment), "cwd": cwd, "log": log_path, "readback": readback})
        if "pid" in answer:
            return Forked(answer["pid"]), None
        return None, answer.get("refused") or f"zygote.py exited with {self.process.poll()}"

    def read_config(self, config_path, cwd, output, timeout):
        """(reading, error) of router_readback.py forked in the import's environment, as
        router_settings.loader_reading would give it; None when the fork was refused."""
        process, why = self.fork([], self.environment, cwd, readback=[config_path, output])
        if process is None:
            return None
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            return None, f"router_readback.py did not finish within {timeout} s"
        text = open(output).read()
        lines = [line for line in text.splitlines() if line.startswith("{")]
        if process.returncode != 0 or not lines:
            errors = open(output + ".err").read()
            return None, f"router_readback.py exited {process.returncode}: {(errors or text).strip()[-800:]}"
        return json.loads(lines[-1]), None

    def stop(self):
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class RemoteForked(Forked):
    """A process the zygote server forked into this proof's namespaces and cgroup. The server is
    its parent and keeps it unreaped (its pid and process group this proof's to signal) until
    this closes the connection; the exit status comes over it."""

    def __init__(self, pid, connection):
        super().__init__(pid)
        self.connection, self.buffer = connection, b""

    def poll(self):
        while self.returncode is None and self.connection is not None:
            if not select.select([self.connection], [], [], 0)[0]:
                break
            data = self.connection.recv(4096)
            if not data:        # the server died: its processes with it
                self.returncode = -9
                break
            self.buffer += data
            if b"\n" in self.buffer:
                self.returncode = json.loads(self.buffer.split(b"\n", 1)[0]).get("exit", -1)
        if self.returncode is not None and self.connection is not None:
            self.connection.close()     # the server reaps it now
            self.connection = None
        return self.returncode


class Remote(Zygote):
    """The test run's zygote server (server.py): one connection per fork."""

    def __init__(self, path, venv, environment):
        self.path, self.venv, self.environment = path, venv, dict(environment)
        self.zygote_id, self.forked = None, []

    def _connect(self):
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                connection.connect(self.path)
                return connection
            except OSError:
                connection.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _request(self, request):
        """(first answer, connection) or ({"refused": why}, None)."""
        try:
            connection = self._connect()
            connection.sendall((json.dumps(request) + "\n").encode())
            line = b""
            while not line.endswith(b"\n"):
                data = connection.recv(1)
                if not data:
                    break
                line += data
            return json.loads(line or b"{}"), connection
        except (OSError, ValueError) as error:
            return {"refused": f"zygote server {self.path}: {error}"}, None

    def ready(self):
        return True, "the zygote server"

    def ask(self, request):
        answer, connection = self._request(dict(request, zygote=self.zygote_id, venv=self.venv))
        if connection:
            connection.close()
        return answer

    def fork(self, argv, environment, cwd, log_path=None, readback=None):
        answer, connection = self._request({"venv": self.venv, "argv": argv, "env": dict(environment), "cwd": cwd,
                                            "log": log_path, "readback": readback})
        if "pid" in answer:
            self.zygote_id = answer.get("zygote")
            process = RemoteForked(answer["pid"], connection)
            self.forked.append(process)
            return process, None
        if connection:
            connection.close()
        return None, answer.get("refused") or "the zygote server gave no pid"

    def stop(self):
        for process in self.forked:
            if process.connection is not None:     # the server kills what still runs
                process.connection.close()
                process.connection = None
