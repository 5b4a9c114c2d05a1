"""The client side of zygote.py's protocol, for its two callers: the test run's zygote server
(server.py, one zygote per environment the import reads) and a proof run by hand without one
(fork.py's Zygote).

zygote.py reads the environment it was started with as its first line (it tells Python's own
additions from what was given), imports LiteLLM's proxy, and answers one JSON line: {"ready":
what it read} or {"error": why}. Then each request is one JSON line in, one answer out, so
requests are asked one at a time. The import runs while the caller goes on; every ask waits
for it (bounded).
"""
import json
import os
import signal
import subprocess
import threading

IMPORT_TIMEOUT = 300      # importing the proxy takes over a minute on a busy machine


class ZygoteProcess:
    """One zygote.py: `command` runs it (with whatever wraps it), in `environment` and `cwd`."""

    def __init__(self, command, environment, cwd, stderr):
        self.environment = dict(environment)
        self.answer = None
        self._lock, self._answered = threading.Lock(), threading.Event()
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                        env=self.environment, cwd=cwd, start_new_session=True)
        self.process.stdin.write(json.dumps(self.environment) + "\n")
        self.process.stdin.flush()
        threading.Thread(target=self._first_line, daemon=True).start()

    def _first_line(self):
        line = self.process.stdout.readline()
        try:
            answer = json.loads(line)
        except ValueError:
            answer = {"error": f"zygote.py exited with {self.process.poll()} before it answered"}
        self.answer = answer
        if "error" not in answer:
            self.imported()
        self._answered.set()

    def imported(self):
        """Called once, in the reading thread, when the import has answered ready."""

    def ready(self):
        """(True, what the import read) once imported, or (False, why not)."""
        if not self._answered.wait(IMPORT_TIMEOUT):
            return False, f"zygote.py did not import LiteLLM within {IMPORT_TIMEOUT} s"
        if "error" in self.answer:
            return False, self.answer["error"]
        return True, self.answer.get("ready")

    def ask(self, request):
        """zygote.py's answer to one request, once it is ready; {"refused": why} when it cannot answer."""
        ok, why = self.ready()
        if not ok:
            return {"refused": why}
        with self._lock:
            try:
                self.process.stdin.write(json.dumps(request) + "\n")
                self.process.stdin.flush()
                return json.loads(self.process.stdout.readline() or "{}")
            except (OSError, ValueError) as failure:
                return {"refused": f"zygote.py: {failure}"}

    def stop(self):
        """Kills zygote.py's process group (what it forked and has not handed over) and waits."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
