#!/usr/bin/env python3
"""Proves on a real PostgreSQL that the generated litellm-db asks for its password.

  postgres_check.py --tree OUT_DIR [--node NODE ...]

For every generated compose.yaml with a litellm-db service (only NODE's, with --node) it
emulates the postgres image's docker-entrypoint.sh without Docker, with the server
binaries of the Debian package `postgresql`, on loopback and a private socket directory:

  fresh volume  initdb exactly as the entrypoint runs it, with the compose file's
                POSTGRES_USER, POSTGRES_DB and POSTGRES_INITDB_ARGS and a random password,
                plus the `host all all all <auth>` line it appends; then the server runs
                with the compose file's command-line settings. No password is refused
                over 127.0.0.1 and over the socket; the password is accepted.
  guide volume  the same initdb without POSTGRES_INITDB_ARGS and with the password
                `litellm`, as the hand-written guide left it: no password is accepted.
                Then the RUNBOOK's migration commands run (its `docker exec litellm-db`
                and `docker kill --signal=HUP litellm-db` lines, mapped onto the local
                server), and the same three checks as for a fresh volume must pass.
                Each migration line runs under `strace -f -e trace=execve`: the password
                must be in no argv of any process it starts (a command line is readable
                by every user of the host in /proc/PID/cmdline), only in the environment
                and on stdin.
                Only a node whose LiteLLM the guide could have set up has that section: the
                guide ran LiteLLM under systemd, so a node that runs it as a compose service
                (LiteLLM's image in the same compose.yaml) and has no litellm.service comes
                from another setup, and its RUNBOOK has no migration. For such a node alone
                a missing section is reported as not applicable (a `note` line, neither
                passed nor failed); a section that is there is checked all the same, and on
                any other node a missing section fails.

Every subprocess is bounded, servers are stopped and temp dirs removed also on failure.
Prints a line per check and lastly `postgres: N passed, M failed`; exits 1 on a failure,
2 on a usage error. A tree without litellm-db gives `postgres: 0 passed, 0 failed`.
"""
import argparse
import glob
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import yaml

from litellm_check import LITELLM_IMAGE

SERVICE = "litellm-db"
GUIDE_PASSWORD = "litellm"
IMAGE_DATA_DIR = "/var/lib/postgresql/data"   # PGDATA of the postgres image
RUNBOOK_SECTION = "Replacing a stack set up by hand"
TIMEOUT = 60            # any single subprocess; initdb takes a few seconds
RELOAD_TIMEOUT = 15
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# The part of the image's docker-entrypoint.sh (docker_init_database_dir and
# pg_setup_hba_conf) that decides pg_hba.conf. The eval is the entrypoint's own: it word-
# splits POSTGRES_INITDB_ARGS and honours quotes in it, so the args go through the same
# shell parsing as in the container. "$@" are the server's arguments from the compose file
# (the entrypoint asks `postgres -C password_encryption` with them).
ENTRYPOINT_INIT = r'''
set -Eeo pipefail
eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"
auth="$(postgres -C password_encryption "$@")"
: "${POSTGRES_HOST_AUTH_METHOD:=$auth}"
printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"
'''

# docker_setup_db: creates POSTGRES_DB unless it exists, connected as the new superuser.
CREATE_DATABASE = r'''SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
'''


class Interrupted(Exception):
    pass


def raise_interrupted(signum, _frame):
    """SIGTERM unwinds like Ctrl-C, so every finally block stops its server."""
    raise Interrupted(f"signal {signum}")


def server_bin():
    """The newest PostgreSQL server the Debian packages installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    return os.path.dirname(found[-1]) if found else None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path, lines=15):
    try:
        return "".join(open(path, errors="replace").readlines()[-lines:]).rstrip()
    except OSError:
        return ""


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, label, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'}  {label}")
        if not ok and detail:
            print("      " + detail.strip().replace("\n", "\n      "))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


class Target:
    """One compose.yaml with litellm-db: what the container gets, read from the tree."""

    def __init__(self, tree, compose_path):
        self.node = os.path.relpath(compose_path, os.path.join(tree, "nodes")).split(os.sep)[0]
        self.runbook = os.path.join(os.path.dirname(compose_path), "RUNBOOK.md")
        services = yaml.safe_load(open(compose_path))["services"]
        service = services[SERVICE]
        self.image = service.get("image", "?")
        # Where LiteLLM runs: compose services with its image, and the node's litellm.service.
        self.litellm_services = sorted(name for name, other in services.items()
                                       if LITELLM_IMAGE.match(str((other or {}).get("image", ""))))
        self.litellm_unit = os.path.isfile(os.path.join(tree, "nodes", self.node, "etc/systemd/system/litellm.service"))
        self.container = service.get("container_name", SERVICE)
        environment = service.get("environment") or {}
        if isinstance(environment, list):   # compose also allows [KEY=VALUE, ...]
            environment = dict(item.partition("=")[::2] for item in environment)
        # The entrypoint's defaults (docker_setup_env) when a variable is not set.
        self.user = str(environment.get("POSTGRES_USER") or "postgres")
        self.database = str(environment.get("POSTGRES_DB") or self.user)
        self.initdb_args = str(environment.get("POSTGRES_INITDB_ARGS") or "")
        self.host_auth = environment.get("POSTGRES_HOST_AUTH_METHOD")
        command = service.get("command") or ["postgres"]
        command = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
        # As in the entrypoint: a leading flag means `postgres`; the rest goes to the server.
        self.server_args = command[1:] if command[0] == "postgres" else command

    def setting(self, name):
        """The value the server arguments give a setting, as postgres reads them: the last
        of `-c k=v`, `-ck=v` and `--k=v` (and `-h`, which is listen_addresses) wins."""
        value, words = None, iter(self.server_args)
        for word in words:
            if word == "-h":
                word = "--listen_addresses=" + next(words, "")
            pair = next(words, "") if word == "-c" else word[2:] if word.startswith(("--", "-c")) else ""
            key, _, found = pair.partition("=")
            if key.replace("-", "_") == name:
                value = found
        return value


class Server:
    """A scratch data directory and server, owned by the postgres user when run as root."""

    def __init__(self, bindir, target):
        self.bindir = bindir
        self.target = target
        self.scratch = tempfile.mkdtemp(prefix="spark-gen-pg-")
        self.data = os.path.join(self.scratch, "data")
        self.sockets = os.path.join(self.scratch, "sockets")
        self.log = os.path.join(self.scratch, "server.log")
        self.port = free_port()
        os.mkdir(self.sockets, 0o700)
        # postgres refuses to run as root; runuser keeps the environment we pass.
        self.as_user = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            for path in (self.scratch, self.sockets):
                os.chown(path, account.pw_uid, account.pw_gid)
            # By absolute path: the environment below has no sbin on PATH.
            self.as_user = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"]

    def environment(self, **extra):
        # Nothing of the caller's environment: no PGPASSWORD, no ~/.pgpass, no ~/.psqlrc.
        environment = {
            "PATH": f"{self.bindir}:/usr/bin:/bin", "LANG": "C.UTF-8", "PGDATA": self.data,
            "PGPASSFILE": os.path.join(self.scratch, "no-pgpass"),
            "PSQLRC": os.path.join(self.scratch, "no-psqlrc"),
        }
        environment.update({key: value for key, value in extra.items() if value is not None})
        return environment

    def run(self, argv, timeout=TIMEOUT, input=None, trace=None, **environment):
        # A session of its own, so a timeout or an interrupt kills runuser's children too
        # (initdb, psql); the postmaster is in none of them (pg_ctl start calls setsid).
        # With `trace`, strace writes there every execve of the run, with its whole argv.
        tracer = ["strace", "-f", "-qq", "-e", "trace=execve", "-s", "65535", "-o", trace] if trace else []
        try:
            process = subprocess.Popen(tracer + self.as_user + argv, stdin=subprocess.PIPE if input else subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=self.scratch,
                                       env=self.environment(**environment), start_new_session=True)
        except OSError as error:
            return subprocess.CompletedProcess(argv, 127, "", str(error))
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except BaseException as error:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            if isinstance(error, subprocess.TimeoutExpired):
                return subprocess.CompletedProcess(argv, 124, "", f"timed out after {timeout} s: {shlex.join(argv)}")
            raise
        return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)

    def initialise(self, password, initdb_args, host_auth):
        """The entrypoint's first start on an empty volume: initdb, pg_hba line, database."""
        init = self.run(["bash", "-c", ENTRYPOINT_INIT, "entrypoint", *self.target.server_args],
                        POSTGRES_USER=self.target.user, POSTGRES_PASSWORD=password,
                        POSTGRES_INITDB_ARGS=initdb_args, POSTGRES_HOST_AUTH_METHOD=host_auth)
        if init.returncode != 0:
            raise RuntimeError(f"initdb as the entrypoint runs it failed:\n{init.stdout}{init.stderr}")
        self.start()
        create = self.run(["psql", "-v", "ON_ERROR_STOP=1", "-w", "--no-psqlrc", "-h", self.sockets, "-p", str(self.port),
                           "-U", self.target.user, "-d", "postgres", "--set", f"db={self.target.database}"],
                          input=CREATE_DATABASE, PGPASSWORD=password)
        if create.returncode != 0:
            raise RuntimeError(f"creating database {self.target.database} failed:\n{create.stderr}")

    def start(self):
        # The compose file's arguments first, then what keeps this run private: a free port
        # instead of 5432 (the last -c of a setting wins) and a socket directory of its own.
        options = self.target.server_args + ["-c", f"port={self.port}", "-c", f"unix_socket_directories={self.sockets}"]
        started = self.run(["pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "30", "-o", shlex.join(options), "start"])
        if started.returncode != 0:
            raise RuntimeError(f"the server did not start:\n{started.stdout}{started.stderr}\n{tail(self.log)}")

    def reload(self):
        """`docker kill --signal=HUP`: pg_ctl reload only sends SIGHUP, so wait until the
        server logs that it reloaded; the postmaster re-reads pg_hba.conf in the same step,
        before it accepts the next connection."""
        marker = "received SIGHUP, reloading configuration files"
        before = open(self.log, errors="replace").read().count(marker)
        result = self.run(["pg_ctl", "reload", "-D", self.data])
        deadline = time.monotonic() + RELOAD_TIMEOUT
        while result.returncode == 0 and open(self.log, errors="replace").read().count(marker) <= before:
            if time.monotonic() > deadline:
                return subprocess.CompletedProcess(result.args, 1, result.stdout, "the server logged no reload")
            time.sleep(0.1)
        return result

    def psql(self, host, password=None):
        """psql -w as verify.sh runs it: never prompts, PGPASSWORD only when given."""
        return self.run(["psql", "-w", "-h", host, "-p", str(self.port), "-U", self.target.user, "-d", self.target.database,
                         "-tAc", "select 1"], PGPASSWORD=password)

    def stop(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            if self.run(["pg_ctl", "stop", "-D", self.data, "-m", "fast", "-w", "-t", "30"]).returncode != 0:
                self.run(["pg_ctl", "stop", "-D", self.data, "-m", "immediate", "-w", "-t", "30"])
        shutil.rmtree(self.scratch, ignore_errors=True)


def migration_commands(runbook_path, container):
    """The runbook's `docker exec`/`docker kill` lines in the guide section, in order, or an error."""
    try:
        lines = open(runbook_path).read().splitlines()
    except OSError as error:
        return None, f"no runbook: {error}"
    section, level, fenced = None, 0, False
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"(#+) ", line)
        if heading and section is not None and len(heading.group(1)) <= level:
            break
        if heading and RUNBOOK_SECTION in line:
            section, level = [], len(heading.group(1))
        elif section is not None and fenced and re.match(r"docker (exec|kill)\b", line):
            section.append(line.strip())
    if section is None:
        return None, f"{os.path.basename(runbook_path)} has no section '{RUNBOOK_SECTION}'"
    if not section:
        return None, f"section '{RUNBOOK_SECTION}' has no docker exec/kill command for {container}"
    return section, ""


def run_migration(server, line, container, password):
    """One runbook line on the local server, as the server's user, with the container's environment;
    also the execve calls of the run whose argv holds the password (none, or a note of why
    they could not be traced)."""
    if line == f"docker kill --signal=HUP {container}":
        return server.reload(), []
    prefix = f"docker exec {container} "
    if not line.startswith(prefix):
        return subprocess.CompletedProcess(line, 1, "", f"cannot map onto a local server: {line}"), []
    script = line[len(prefix):].replace(IMAGE_DATA_DIR, server.data)
    # PGHOST/PGPORT stand for the image's default socket, /var/run/postgresql/.s.PGSQL.5432.
    trace = os.path.join(server.scratch, "execve.trace")
    done = server.run(["bash", "-c", script], trace=trace, POSTGRES_USER=server.target.user, POSTGRES_DB=server.target.database,
                      POSTGRES_PASSWORD=password, PGHOST=server.sockets, PGPORT=str(server.port))
    try:
        calls = [call for call in open(trace, errors="replace").read().splitlines() if "execve(" in call]
        os.unlink(trace)
    except OSError as error:
        return done, [f"no execve trace: {error} (scripts/bootstrap.sh --test installs strace)"]
    if done.returncode == 127 and not calls:
        return done, ["strace did not run the line (scripts/bootstrap.sh --test installs strace)"]
    return done, [call for call in calls if password in call]


def argv_evidence(calls, password):
    """The traced execve lines that carry the password, with the value masked."""
    return "\n".join(call.replace(password, "<password>") for call in calls)


def expect_password(results, server, label, password):
    # With the password over 127.0.0.1, as LiteLLM's DATABASE_URL and verify.sh connect.
    accepted = server.psql("127.0.0.1", password)
    results.check(f"{label}: the password is accepted (select 1)", accepted.returncode == 0 and accepted.stdout.strip() == "1",
                  accepted.stderr)
    for path, host in (("127.0.0.1", "127.0.0.1"), ("socket", server.sockets)):
        refused = server.psql(host)
        # Refused for want of a password, not because the server is down or the role is missing.
        ok = refused.returncode != 0 and "no password supplied" in refused.stderr
        results.check(f"{label}: no password is refused ({path})", ok,
                      "accepted without a password" if refused.returncode == 0 else refused.stderr)


def fresh_volume(results, bindir, target):
    label = f"{target.node} fresh volume"
    server = Server(bindir, target)
    try:
        password = secrets.token_hex(24)   # as the runbook's `openssl rand -hex 24`
        server.initialise(password, target.initdb_args, target.host_auth)
        expect_password(results, server, label, password)
    except RuntimeError as error:
        results.check(f"{label}: entrypoint initialisation and start", False, str(error))
    finally:
        server.stop()


def guide_volume(results, bindir, target):
    label = f"{target.node} guide volume"
    commands, problem = migration_commands(target.runbook, target.container)
    if commands is None and problem.endswith(f"has no section '{RUNBOOK_SECTION}'") \
            and target.litellm_services and not target.litellm_unit:
        # Not from the guide (see the docstring): nothing to migrate, so nothing to prove.
        print(f"note  {label}: not applicable: {problem}; LiteLLM runs as compose service "
              f"{', '.join(target.litellm_services)}, not under systemd as the guide ran it")
        return
    if not results.check(f"{label}: RUNBOOK.md has the migration commands", commands is not None, problem):
        return
    server = Server(bindir, target)
    try:
        # The guide's `docker run` set no POSTGRES_INITDB_ARGS: initdb trusts local connections.
        server.initialise(GUIDE_PASSWORD, "", None)
        # The migration must change something: before it, no password is needed at all.
        for path, host in (("127.0.0.1", "127.0.0.1"), ("socket", server.sockets)):
            before = server.psql(host)
            results.check(f"{label}: before the migration no password is accepted ({path})", before.returncode == 0, before.stderr)
        password = secrets.token_hex(24)
        for line in commands:
            done, leaks = run_migration(server, line, target.container, password)
            shown = f"`{line[:60]}{'...' if len(line) > 60 else ''}`"
            results.check(f"{label}: runbook {shown}", done.returncode == 0, done.stdout + done.stderr)
            results.check(f"{label}: runbook {shown} keeps the password off every command line", not leaks,
                          "the password is on a command line:\n" + argv_evidence(leaks, password))
        expect_password(results, server, f"{label} after the migration", password)
    except RuntimeError as error:
        results.check(f"{label}: entrypoint initialisation and start", False, str(error))
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True, help="output directory of `spark-gen build`")
    parser.add_argument("--node", action="append", help="only this node (repeatable)")
    arguments = parser.parse_args()
    if not os.path.isdir(os.path.join(arguments.tree, "nodes")):
        parser.error(f"{arguments.tree} is no spark-gen output (no nodes/)")
    for node in arguments.node or []:
        if not os.path.isdir(os.path.join(arguments.tree, "nodes", node)):
            parser.error(f"no node {node} in {arguments.tree}")
    composes = sorted(glob.glob(os.path.join(arguments.tree, "nodes", "*", "**", "compose.yaml"), recursive=True))
    signal.signal(signal.SIGTERM, raise_interrupted)
    results = Results()
    bindir = server_bin()
    for compose in composes:
        if SERVICE not in (yaml.safe_load(open(compose)).get("services") or {}):
            continue
        target = Target(arguments.tree, compose)
        if arguments.node and target.node not in arguments.node:
            continue
        print(f"== {target.node}: {os.path.relpath(compose, arguments.tree)} ({target.image})")
        if not results.check(f"{target.node}: PostgreSQL server binaries", bindir is not None,
                             "none in /usr/lib/postgresql/*/bin (scripts/bootstrap.sh --test installs postgresql)"):
            continue
        listen = target.setting("listen_addresses") or "localhost"   # postgres's default
        if not results.check(f"{target.node}: listen_addresses={listen} is loopback only",
                             {a.strip() for a in listen.split(",")} <= LOOPBACK,
                             "the checker runs servers on loopback only, and the runbook promises 127.0.0.1"):
            continue
        fresh_volume(results, bindir, target)
        guide_volume(results, bindir, target)
    print(f"postgres: {results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
