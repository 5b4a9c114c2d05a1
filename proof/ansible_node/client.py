"""`python3-node` of proof/ansible_apply.py: runs the program on standard input in a process
forked by zygote.py, and exits as it did. Started as `python3 -I -S` (no site, only what is
built in): this process's start is what every module run still pays.

It passes its standard input, output and error (SCM_RIGHTS), its environment, working directory
and umask; the zygote reads its uid and gid from the socket. With arguments, with no zygote
listening, or when the zygote answers `exec` (an environment that would start Python otherwise:
another UTF-8 mode, a PYTHON* variable), it is Debian's python3 itself (exec).
"""
import _socket
import os
import sys

SOCKET = "/run/spark-gen-zygote.sock"
PYTHON = "/usr/bin/python3"


def main():
    if len(sys.argv) == 1:
        try:
            cwd = os.getcwdb()  # a removed working directory: Python itself, which copes with it
            connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            connection.connect(SOCKET)
        except OSError:
            connection = None
        if connection is not None:
            mask = os.umask(0)
            os.umask(mask)
            env = b"\0".join(key + b"=" + value for key, value in os.environb.items())
            # UTF-8 mode as this start of Debian's python3 took it from the locale (-I: not PYTHONUTF8).
            utf8 = str(sys.flags.utf8_mode).encode()
            data = b"\0\0" + env + b"\0\0" + cwd + b"\0\0" + oct(mask)[2:].encode() + b"\0\0" + utf8 + b"\0\0\0"
            fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))
            connection.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
            status = b""
            while True:
                chunk = connection.recv(16)
                if not chunk:
                    break
                status += chunk
            if status == b"exec":
                connection.close()
                os.execv(PYTHON, [PYTHON])
            if status:
                os._exit(int(status))
            os.write(2, b"python3-node: the zygote ended without an exit status\n")
            os._exit(1)
    os.execv(PYTHON, [PYTHON] + sys.argv[1:])


main()
