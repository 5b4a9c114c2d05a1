"""The installed ufw, one Python start for all the ufw commands of one firewall.sh.

  python3 ufw_server.py DIRECTORY     (started by Harness.apply_firewall, firewall.py)

Every `ufw …` line of firewall.sh is a Python start that imports ufw again (about 62 ms of
the 100 ms a command costs here, 23 commands a script, docs/testing.md). This server is
started with ufw's own interpreter (the `#!` line of /usr/sbin/ufw), in the namespaces
firewall.sh runs in, imports ufw's modules once and then, for each request, forks a child
that runs /usr/sbin/ufw's own code with that command's arguments, working directory and
standard streams. The `ufw` that firewall.sh finds first on its PATH is CLIENT: it hands its
arguments over and exits with the child's status. Each command still starts from nothing of
ufw's but the imported modules: the parent never runs ufw, so every child begins with ufw's
module state as a fresh start has it, reads ufw's files, takes /run/ufw.lock and calls the
same iptables. What is proven does not change; firewall.py compares the rules it leaves.

DIRECTORY holds two FIFOs the harness makes: `requests` (the client writes its pid, working
directory and arguments, NUL-separated) and `replies` (the server writes the exit status).
The commands of a script run one after the other, so one pair serves them all.
"""
import os
import stat
import sys

UFW = "/usr/sbin/ufw"

# The `ufw` firewall.sh runs. bash, no other program: its start is the whole cost of a command.
CLIENT = """#!/bin/bash
# ufw, run by the proof's ufw server (proof/netns_proof/ufw_server.py) with this command's
# arguments, working directory and standard streams; exits with ufw's status.
kill -0 "$SPARK_UFW_SERVER_PID" 2>/dev/null || { echo "ufw: the proof's ufw server is not running" >&2; exit 1; }
printf '%s\\0' "$$" "$PWD" "$@" >"$SPARK_UFW_SERVER_DIR/requests"
IFS= read -r status <"$SPARK_UFW_SERVER_DIR/replies"
exit "${status:-1}"
"""


def interpreter():
    """ufw's interpreter and its options, from the `#!` line of /usr/sbin/ufw."""
    first = open(UFW).readline()
    return first[2:].split() if first.startswith("#!") else [sys.executable]


def reopen(pid, number):
    """The client's file descriptor `number`, opened anew as this process's `number`."""
    path = f"/proc/{pid}/fd/{number}"
    mode = os.O_RDONLY if number == 0 else os.O_WRONLY
    try:
        if number and stat.S_ISREG(os.stat(path).st_mode):
            mode |= os.O_APPEND
        descriptor = os.open(path, mode)
    except OSError:
        descriptor = os.open(os.devnull, mode)
    os.dup2(descriptor, number)
    os.close(descriptor)


def child(code, pid, directory, arguments):
    reopen(pid, 0)
    reopen(pid, 1)
    reopen(pid, 2)
    os.chdir(directory)
    sys.argv = [UFW] + arguments
    status = 0
    try:
        exec(code, {"__name__": "__main__", "__file__": UFW, "__builtins__": __builtins__})
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if not isinstance(done.code, (int, type(None))):
            print(done.code, file=sys.stderr)
    except BaseException as error:  # what an uncaught exception does to a real ufw: traceback, status 1
        import traceback
        traceback.print_exception(error)
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def serve(directory):
    # As ufw's own start has it: its directory first on the path, not this one.
    sys.path[0] = os.path.dirname(UFW)
    # ufw's own imports (the top of /usr/sbin/ufw), once.
    import gettext  # noqa: F401
    import warnings  # noqa: F401
    import ufw.frontend  # noqa: F401
    import ufw.util  # noqa: F401
    code = compile(open(UFW).read(), UFW, "exec")
    while True:
        with open(os.path.join(directory, "requests"), "rb") as requests:
            message = requests.read()
        if not message:
            continue
        pid, working, *arguments = [part.decode() for part in message.split(b"\0")[:-1]]
        sys.stdout.flush()
        sys.stderr.flush()
        forked = os.fork()
        if forked == 0:
            child(code, int(pid), working, arguments)
        _, status = os.waitpid(forked, 0)
        with open(os.path.join(directory, "replies"), "w") as replies:
            exit_code = os.waitstatus_to_exitcode(status)
            replies.write(f"{exit_code if exit_code >= 0 else 128 - exit_code}\n")


if __name__ == "__main__":
    serve(sys.argv[1])
