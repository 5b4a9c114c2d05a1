"""`ansible-inventory -i inventory.yml --list` in each of several directories, from one import
of ansible-core (ansible_check.py).

  <venv>/bin/python ansible_inventory_run.py DIR...

Prints {DIR: {"returncode": N, "stdout": text, "stderr": text}} as JSON.

Why: an `ansible-inventory` start is about 0.7 CPU-s here, 0.5 of it importing ansible-core, and
the static checks list every example's inventory (nine). This imports the console script's
module (ansible.cli.inventory) once, then forks a child per directory that runs its `main` with
the argv the console script would have, in that directory, its stdout and stderr its own files:
the same code on the same files. ansible-core reads its configuration when it is imported
(ansible.constants: the environment, ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg): the
environment is the one every run had, and a directory with an ansible.cfg of its own gets the
program itself (exec), since its import here would not have read that file.
"""
import json
import os
import sys
import tempfile

ARGV = ["ansible-inventory", "-i", "inventory.yml", "--list"]


def run_in(directory, program, scratch):
    """(returncode, stdout, stderr) of ARGV in directory, run by a forked child."""
    out_path, err_path = os.path.join(scratch, "stdout"), os.path.join(scratch, "stderr")
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            os.chdir(directory)
            for fd, path in ((1, out_path), (2, err_path)):
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(handle, fd)
                os.close(handle)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            if os.path.exists("ansible.cfg"):
                os.execv(program, [program, *ARGV[1:]])
            from ansible.cli.inventory import main
            sys.argv = list(ARGV)
            try:
                main()
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), open(out_path).read(), open(err_path).read()


def main():
    directories = sys.argv[1:]
    program = os.path.join(os.path.dirname(sys.executable), "ansible-inventory")
    import ansible.cli.inventory  # noqa: F401 - the import every child shares
    results = {}
    with tempfile.TemporaryDirectory(prefix="spark-gen-inventory-") as scratch:
        for directory in directories:
            code, out, err = run_in(os.path.abspath(directory), program, scratch)
            results[directory] = {"returncode": code, "stdout": out, "stderr": err}
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
