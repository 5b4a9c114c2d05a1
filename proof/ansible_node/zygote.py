"""The node's Python in proof/ansible_apply.py, started once: a fork server for the module runs.

  zygote.py SOCKET      (as root, in the node's namespaces, before sshd)

Every module run of an apply (about 290 a proof) started Debian's /usr/bin/python3 and imported
ansible.module_utils.basic from the zip ansible sends; a third of that run's CPU was the
interpreter's start and the 116 modules of Python's standard library (and the node's `distro`)
that basic imports, the same for every module (measured: proof/ansible_apply.py's docstring).
This process imports those once and forks a process for each run; the `python3-node` stand-in
the modules are started with (over ssh, through sudo, exactly as before) hands it its standard
input, output and error, its environment, working directory and umask (client.py), and exits
with the run's exit status. The forked process takes the caller's uid, gid and groups (from the
socket's peer credentials: root after sudo, the node's user without), then reads the program
from standard input and runs it as `python3` runs a program it reads there. A caller whose
python3 would start otherwise (another UTF-8 mode, a PYTHON* variable) is told to run python3
itself. Nothing of ansible is imported here: the module and every module_utils it needs are
imported from the zip ansible sent, as before (with the same compile cache, sitecustomize.py).
"""
import atexit
import gc
import importlib.machinery
import io
import locale
import os
import pwd
import signal
import site
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# sys.path as `python3` reading standard input has it on the node: the current directory
# first, then Python's own
# (the caller's user site directory is added per run, where it exists, as site.py adds it).
RUN_PATH = [entry for entry in sys.path if entry not in (HERE, "", site.USER_SITE)]
import sitecustomize  # noqa: E402  (started with PYTHONPATH=HERE: the compile cache, not Debian's)

if not sitecustomize.__file__.startswith(HERE + os.sep):
    raise SystemExit(f"zygote: sitecustomize is {sitecustomize.__file__}, not the compile cache in {HERE}")

# What every module ansible-core 2.19 sends imports besides ansible itself (the intersection over
# apt, command, copy, file, slurp, stat, systemd_service and user; `distro` is the node's
# python3-distro, which ansible.module_utils.distro prefers), and what the AnsiballZ wrapper of
# every run imports to unpack the zip (base64, zipfile and its cp437 codec; _ansiballz/_wrapper.py).
PRELOAD = """__future__ argparse array ast atexit bisect bz2 collections collections.abc contextlib copy copyreg ctypes
dataclasses datetime decimal dis distro enum errno fcntl fnmatch functools gettext grp hashlib importlib importlib.machinery
importlib.util inspect ipaddress itertools json keyword linecache locale logging lzma math ntpath numbers opcode operator
pathlib pkgutil platform pwd random re reprlib runpy select selectors shlex shutil signal socket string stringprep struct
subprocess syslog tempfile textwrap threading token tokenize traceback types typing unicodedata urllib urllib.parse warnings
weakref zlib encodings.idna base64 zipfile encodings.cp437""".split()


def preload():
    import importlib
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def receive(connection):
    """(fds, fields) of one request: fds 0, 1, 2 of the caller; argv, env, cwd, umask."""
    data, fds = b"", []
    while True:
        chunk, ancillary, _, _ = connection.recvmsg(65536, socket.CMSG_SPACE(3 * 4))
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds += [int.from_bytes(payload[i:i + 4], sys.byteorder) for i in range(0, len(payload) - len(payload) % 4, 4)]
        if not chunk:
            break
        data += chunk
        if data.endswith(b"\0\0\0"):
            break
    return fds, data[:-3].split(b"\0\0")


def run(connection, fds, fields, uid, gid):
    """In the forked process: become the caller, then run the program on standard input."""
    argv, env, (cwd,), (mask,), _ = (part.split(b"\0") if part else [] for part in fields)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    connection.close()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    name = pwd.getpwuid(uid).pw_name if uid != 0 else "root"
    os.setgroups(os.getgrouplist(name, gid))
    os.setgid(gid)
    os.setuid(uid)
    os.umask(int(mask, 8))
    os.environ.clear()
    for entry in env:
        key, _, value = entry.partition(b"=")
        os.environb[key] = value
    try:
        os.chdir(cwd)
    except OSError:
        pass
    time.tzset()
    # As the interpreter's start does: the locale of the environment, C coerced to C.UTF-8.
    try:
        if locale.setlocale(locale.LC_CTYPE, "") in ("C", "POSIX"):
            locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
    except locale.Error:
        pass
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8", errors="surrogateescape")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8", errors="surrogateescape")
    sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8", errors="backslashreplace",
                                  line_buffering=True)
    user_site = os.path.join(os.path.expanduser("~"), ".local", "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}", "site-packages")
    packages = next((index for index, entry in enumerate(RUN_PATH) if entry.endswith("-packages")), len(RUN_PATH))
    sys.path[:] = [""] + RUN_PATH[:packages] + ([user_site] if os.path.isdir(user_site) else []) + RUN_PATH[packages:]
    sys.argv = [arg.decode("utf-8", "surrogateescape") for arg in argv] or [""]
    atexit._clear()
    gc.unfreeze()
    main = type(sys)("__main__")
    # What `python3` gives a program it reads from standard input.
    main.__dict__.update(__loader__=importlib.machinery.BuiltinImporter, __annotations__={}, __builtins__=__builtins__,
                         __file__="<stdin>", __cached__=None)
    sys.modules["__main__"] = main
    status = 0
    try:
        code = compile(sys.stdin.buffer.read(), "<stdin>", "exec")
        exec(code, main.__dict__)
    except SystemExit as ended:
        status = exit_status(ended.code)
    except BaseException:
        kind, value, trace = sys.exc_info()
        sys.excepthook(kind, value, trace.tb_next)  # the program's frames, as `python3 -` prints them
        status = 1
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 120
    os._exit(status)


def exit_status(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def serve(path):
    preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o666)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # each request's process is reaped by the kernel
    gc.collect()
    gc.freeze()
    print(f"zygote: {len(sys.modules)} modules imported, serving {path}", flush=True)
    while True:
        connection, _ = listener.accept()
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
        _, uid, gid = (int.from_bytes(credentials[i:i + 4], sys.byteorder) for i in (0, 4, 8))
        fds, fields = receive(connection)
        if not same_start(fields):
            # Python would start otherwise for this caller: it runs Debian's python3 itself.
            print(f"zygote: a run with another start (UTF-8 mode, PYTHON* variables) runs python3 itself", flush=True)
            connection.sendall(b"exec")
        elif os.fork() == 0:
            listener.close()
            waiter(connection, fds, fields, uid, gid)
        connection.close()
        for fd in fds:
            os.close(fd)


def same_start(fields):
    """Whether python3 started by this caller would start as this process did: the same UTF-8
    mode (from the locale), no PYTHON* variable (this one's PYTHONPATH is removed at its start)."""
    env, utf8 = (fields[1].split(b"\0") if fields[1] else []), fields[4]
    return utf8 == str(sys.flags.utf8_mode).encode() and not any(entry.startswith(b"PYTHON") for entry in env) \
        and not sys.flags.dont_write_bytecode and not sys.flags.ignore_environment


def waiter(connection, fds, fields, uid, gid):
    """The request's process: forks the run, and tells the caller how it ended."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    child = os.fork()
    if child == 0:
        run(connection, fds, fields, uid, gid)
    for fd in fds:
        os.close(fd)
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    try:
        connection.sendall(str(code if code >= 0 else 128 - code).encode())
    except OSError:
        pass
    os._exit(0)


if __name__ == "__main__":
    serve(sys.argv[1])
