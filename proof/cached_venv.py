"""A virtualenv under ~/.cache/spark-gen holding exactly some pinned requirements, made once.

The proofs that run a real program from PyPI (the LiteLLM proxy, Ray, ansible-core) share this:
'complete' is a marker written only after pip succeeded, holding the requirements it installed,
so an interrupted install or other requirements install again; a lock beside the venv keeps two
runs (the test suites start several at once) from installing into it together.
"""
import fcntl
import os
import subprocess
import sys
import time


def ensure(venv, requirements, executable, about, say=None, error=RuntimeError, timeout=900, python=None):
    """Make `venv` hold `requirements` (a list) unless a complete install is there with
    bin/`executable`; `about` says what an install costs, `say` reports (None: quiet), and a
    failed pip raises `error` with the end of pip's log. `python` makes the venv (default: the
    one running this); the marker names it, so a venv of another interpreter is made again."""
    say = say or (lambda text: None)
    marker = os.path.join(venv, ".spark-gen-requirements")
    wanted = "\n".join(requirements) + "\n" + (f"# python {python}\n" if python else "")
    os.makedirs(os.path.dirname(os.path.abspath(venv)), exist_ok=True)
    with open(os.path.join(os.path.dirname(os.path.abspath(venv)), "." + os.path.basename(venv) + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (os.path.isfile(marker) and open(marker).read() == wanted
                and os.access(os.path.join(venv, "bin", executable), os.X_OK)):
            say(f"venv: {venv} reused ({', '.join(requirements)})")
            return
        say(f"venv: installing {' '.join(requirements)} into {venv} ({about})")
        started = time.monotonic()
        subprocess.run([python or sys.executable, "-m", "venv", "--clear", venv], check=True, timeout=120)
        log_path = os.path.join(venv, "pip-install.log")
        with open(log_path, "w") as log:
            result = subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", *requirements],
                                    stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
        if result.returncode != 0:
            last = "".join(open(log_path, errors="replace").readlines()[-20:])
            raise error(f"pip install {' '.join(requirements)} failed (exit {result.returncode}), end of {log_path}:\n{last}")
        installed = [line for line in open(log_path) if line.startswith("Successfully installed")]
        count = len(installed[0].split()) - 2 if installed else 0
        say(f"venv: installed {count} packages in {time.monotonic() - started:.0f} s (list: {log_path})")
        with open(marker, "w") as handle:
            handle.write(wanted)
