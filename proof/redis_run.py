"""Redis as a generated compose service runs it, without Docker: shared by netns_matrix.py
(where it listens) and litellm_check.py (a real redis-server as LiteLLM's cache).

Standard library only: litellm_check.py runs with the system python3. Compose files are
passed in already parsed.

The official image (redis:…) has ENTRYPOINT ["docker-entrypoint.sh"] and CMD
["redis-server"]; a compose `command` replaces the CMD only, so the container runs
`docker-entrypoint.sh <command…>`. The entrypoint (docker-library/redis, the same for 7.x)
prepends redis-server to a first argument that is an option or a .conf, re-executes itself
as the redis user (gosu) when it starts redis-server as root, sets umask 0077 when it is
0022, and execs its arguments. The image's redis-server is built with protected-mode off,
and Redis's own default is `bind * -::*` (every address), port 6379.

ENTRYPOINT is that script with setpriv in place of gosu (util-linux has it; gosu is not a
Debian package of bookworm), so the generated command runs unchanged, on PATH with it
first, with Debian's redis-server.
"""
import re
import shlex

REDIS_IMAGE = re.compile(r"^(?:docker\.io/)?(?:library/)?redis(?::[^@/]*)?(?:@.+)?$")
DEFAULT_BIND, DEFAULT_PORT = "0.0.0.0", 6379
SHELLS = ("sh", "bash", "dash", "/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash")

ENTRYPOINT = """\
#!/bin/sh
# The redis image's docker-entrypoint.sh; setpriv stands for gosu (proof/redis_run.py).
set -e

# first arg is `-f` or `--some-option`
# or first arg is `something.conf`
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

# allow the container to be started with `--user`
if [ "$1" = 'redis-server' -a "$(id -u)" = '0' ] && id redis >/dev/null 2>&1; then
	find . \\! -user redis -exec chown redis '{}' +
	exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

um="$(umask)"
if [ "$um" = '0022' ]; then
	umask 0077
fi

exec "$@"
"""


def is_redis(service):
    service = service or {}
    command = service.get("command") or []
    text = command if isinstance(command, str) else " ".join(str(word) for word in command)
    return bool(REDIS_IMAGE.match(str(service.get("image", "")))) or "redis-server" in text


def unescape(what, text):
    """A compose string as the container gets it: `$$` is a literal `$`; any other `$` is
    interpolated by compose from the caller's shell or .env, which is not modeled."""
    if "$" in text.replace("$$", ""):
        raise ValueError(f"{what}: {text!r} uses compose's $-interpolation, which is not modeled")
    return text.replace("$$", "$")


def command_words(what, service):
    """The service's command as the container gets it (list), and the redis-server words in it:
    those of a `sh -c` script are shell-split."""
    command = service.get("command")
    if command is None:
        words = ["redis-server"]
    elif isinstance(command, str):
        words = shlex.split(unescape(what, command))
    else:
        words = [unescape(what, str(word)) for word in command]
    inner = words
    if len(words) >= 3 and words[0] in SHELLS and words[1] == "-c":
        inner = shlex.split(words[2])
    return words, inner


def listen(what, service):
    """[(bind, port)] where the service's redis-server listens: the --bind addresses (each
    one up to the next option) and --port after `redis-server`, else the defaults. Settings
    on stdin (`redis-server -`) come before the command line's, which win; a config file
    named on the command line is not modeled (ValueError)."""
    _, words = command_words(what, service)
    if "redis-server" not in words:
        if service.get("entrypoint") or (words and not words[0].startswith("-") and not words[0].endswith(".conf")):
            raise ValueError(f"{what}: no redis-server in its command")
        words = ["redis-server"] + words
    arguments = words[words.index("redis-server") + 1:]
    if arguments and arguments[0] != "-" and not arguments[0].startswith("--"):
        raise ValueError(f"{what}: redis-server reads config file {arguments[0]}, which is not modeled")
    binds, port, index = [], DEFAULT_PORT, 0
    while index < len(arguments):
        word = arguments[index]
        if word in ("|", ";", "&&", "||"):
            break
        if word == "--bind":
            index += 1
            while index < len(arguments) and not arguments[index].startswith("--") and arguments[index] not in ("|", ";", "&&"):
                binds.append(arguments[index])
                index += 1
            continue
        if word == "--port" and index + 1 < len(arguments):
            port = int(arguments[index + 1])
            index += 1
        index += 1
    # "*" is every IPv4 address, "::*" every IPv6 one; a leading "-" makes an address optional.
    binds = [{"*": DEFAULT_BIND}.get(b.lstrip("-"), b.lstrip("-")) for b in binds if b.lstrip("-") not in ("::*", "::")]
    return [(bind, port) for bind in (binds or [DEFAULT_BIND])]


# --- a client, enough for the checks ------------------------------------------------------

def encode(*arguments):
    data = f"*{len(arguments)}\r\n".encode()
    for argument in arguments:
        raw = argument if isinstance(argument, bytes) else str(argument).encode()
        data += b"$" + str(len(raw)).encode() + b"\r\n" + raw + b"\r\n"
    return data


def read_reply(stream):
    """One RESP reply: str for +/- (errors keep their leading '-'), int, bytes or None, list."""
    line = stream.readline()
    if not line:
        raise ConnectionError("connection closed")
    kind, rest = line[:1], line[1:].rstrip(b"\r\n")
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        return "-" + rest.decode()
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else stream.read(size + 2)[:-2]
    if kind == b"*":
        size = int(rest)
        return None if size < 0 else [read_reply(stream) for _ in range(size)]
    raise ConnectionError(f"not a RESP reply: {line[:60]!r}")


def talk(host, port, commands, timeout=5):
    """The replies to commands ([[word, …], …]) sent in order on one connection."""
    import socket
    with socket.create_connection((host, port), timeout=timeout) as connection:
        stream = connection.makefile("rwb")
        replies = []
        for command in commands:
            stream.write(encode(*command))
            stream.flush()
            replies.append(read_reply(stream))
        return replies
