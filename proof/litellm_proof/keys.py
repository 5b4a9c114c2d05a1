"""Keys and secret files in the LiteLLM proof (litellm_check.py): the env files the RUNBOOK
writes and secrets.json agree; copied files; servers that require a key (step 7b) and a
wrong key in a copy, read by a restarted LiteLLM; tailnet names of backends.
"""
import glob
import json
import os
import re
import secrets

from litellm_proof.harness import DOWN_TIMEOUT, SetupError, http, say, url_host
from litellm_proof.tree import (compose_env_files, normal_mode, read_environment_file, server_commands,
    write_private)
from litellm_proof.backends import chat, error_text

# Why DATABASE_URL is left out of the environment (its env file is still written and
# loaded, with every other variable the RUNBOOK puts there):
# with DATABASE_URL set, litellm/proxy/proxy_cli.py runs the Prisma migrations before it
# serves anything. prisma-python's CLI then runs `npm install prisma@5.17.0` to fetch its
# engines, which cannot work here (no PostgreSQL, no network but PyPI and Debian), and
# LiteLLM stops with "Database migration cannot proceed" without ever listening (tried
# with postgresql://...@127.0.0.1:5432: not live after 150 s). With it unset,
# `database_url: os.environ/DATABASE_URL` resolves to None, proxy_cli skips all database
# setup and the proxy runs without a database. The master key is checked against its hash
# in memory, before any database lookup, so the checks below still exercise the same
# authentication the node does for the master key. What changes: a key that is not the
# master key is refused with 400 no_db_connection instead of the node's 401 (it cannot be
# looked up), so the wrong-key check accepts exactly that answer (see refusal() in
# backends.py); virtual keys, kept in the database, are out of reach of this check; and /health/readiness
# answers 200 with "db": "Not connected" where the node, with its database down, would
# answer 503.
DATABASE_VARIABLES = {"DATABASE_URL"}


def manifest_disagreements(plan):
    """Where the RUNBOOK's secrets step and secrets.json disagree: either is a generator bug."""
    problems = []
    for path, written in plan.runbook_files.items():
        entry = plan.manifest.get(path)
        if entry is None or entry["variables"] != written["variables"]:
            problems.append(f"the RUNBOOK writes {path} with {written['variables']}, secrets.json says "
                            f"{entry['variables'] if entry else None}")
            continue
        if written["mode"] is None:
            problems.append(f"the RUNBOOK writes {path} without a umask or mode: its mode depends on the operator's shell")
        elif normal_mode(entry.get("mode")) != normal_mode(written["mode"]):
            problems.append(f"the RUNBOOK makes {path} mode {written['mode']}, secrets.json says {entry.get('mode')}")
        if written["owner"] is not None and entry.get("owner") != written["owner"]:
            problems.append(f"the RUNBOOK makes {path} owned by {written['owner']}, secrets.json says {entry.get('owner')}")
    generated = {path for path, entry in plan.manifest.items() if entry["source"]["kind"] == "generated"}
    for path in sorted(generated - set(plan.runbook_files)):
        problems.append(f"secrets.json says the RUNBOOK generates {path}, which it does not")
    return problems


def readable_by(mode, owner, user, groups):
    """Whether `user` (member of `groups`) may read a file of this mode and owner ("u" or "u:g")."""
    if mode is None or owner is None:
        return False
    bits = int(str(mode), 8)
    file_user, _, file_group = owner.partition(":")
    if user == "root":
        return True
    if file_user == user:
        return bool(bits & 0o400)
    if file_group and file_group in groups:
        return bool(bits & 0o040)
    return bool(bits & 0o004)


def test_value(name):
    """A throwaway value shaped like the real one: keys as the RUNBOOK makes them (sk-…)."""
    if "KEY" in name or "TOKEN" in name:
        return "sk-test-" + secrets.token_hex(24)
    return "test-" + secrets.token_hex(16)


def secret_files(plan, root, also=()):
    """Write the node's env files (those the launcher loads, and the env files `also` of
    other services: (path, optional)) under root with test values; a variable has one
    value in every file that holds it.

    Returns the owner's key: the value made for the master key variable, whether or not
    a file the launcher loads holds it. Each file gets the variables secrets.json lists for
    it (after checking that the RUNBOOK writes the same, with the same mode and owner);
    without a manifest, those the RUNBOOK writes; without either, the first file gets every
    variable the config reads."""
    if plan.manifest:
        problems = manifest_disagreements(plan)
        if problems:
            raise SetupError("; ".join(problems))
    launcher = plan.launcher
    layout = dict(plan.files_from_manifest or plan.files_from_runbook)
    if not layout:
        say(f"note: no secrets section in {plan.runbook}: every variable the config reads goes into the first env file")
        needed = sorted(set(plan.environment_references) | {plan.master_key_variable})
        layout = {path: needed if index == 0 else [] for index, (path, _) in enumerate(launcher.environment_files)}
    names = {name for names in layout.values() for name in names} | set(plan.environment_references) | {plan.master_key_variable}
    values = {name: test_value(name) for name in sorted(names)}

    loaded = {path for path, _ in launcher.environment_files}
    for path, variables in layout.items():
        # (With a manifest, env_file_checks() fails a file LiteLLM reads that is not loaded.)
        if path not in loaded and set(variables) & (set(plan.environment_references) | {plan.master_key_variable}):
            say(f"note: the RUNBOOK writes {path} ({', '.join(variables)}) but {launcher.loader} does not load it")
    written = set()
    files = list(launcher.environment_files) + [entry for entry in also if entry[0] not in loaded]
    for path, optional in dict(files).items():
        if path not in layout:
            # systemd and docker compose refuse to start what loads a missing env file
            # (unless it is optional), so the node would need it; make it empty and say so.
            say(f"note: {launcher.loader if path in loaded else 'a compose service'} loads {path} but the RUNBOOK does not create it")
        lines, shown = [], []
        # A copied file (secrets.json source kind "copied") holds its source's values: the
        # source node's file is staged first (see stage_node_file), and this one copies it.
        entry = plan.manifest.get(path) or {}
        source = entry.get("source") or {}
        file_values = dict(values)
        if source.get("kind") == "copied":
            copied = stage_node_file(plan, source.get("node"), source.get("path"))
            missing = [name for name in layout.get(path, []) if name not in copied]
            if missing:
                raise SetupError(f"{path} is a copy of {source.get('node')}:{source.get('path')}, which has no {', '.join(missing)}")
            file_values.update(copied)
            shown.append(f"a copy of {source.get('node')}:{source.get('path')} with")
        for name in layout.get(path, []):
            if name in DATABASE_VARIABLES:
                lines.append(f"# {name} left out: no database here (see DATABASE_VARIABLES in litellm_proof/keys.py)\n")
                shown.append(f"{name} left out")
            else:
                lines.append(f"{name}={file_values[name]}\n")
                shown.append(name)
                if path in loaded:
                    written.add(name)
        write_private(os.path.join(root, path.lstrip("/")), "".join(lines))
        say(f"env file: {path} ({', '.join(shown) or 'empty'})")
    for name in plan.environment_references:
        if name not in written and name not in DATABASE_VARIABLES:
            say(f"note: the config reads os.environ/{name} but no env file {launcher.loader} loads sets it")
    return values[plan.master_key_variable]


def node_manifest(plan, node):
    """{path: entry} of the secrets.json of another node of the tree ({} without one)."""
    for path in sorted(glob.glob(os.path.join(plan.tree, "nodes", str(node), "**", "secrets.json"), recursive=True)):
        try:
            document = json.load(open(path))
        except (OSError, ValueError):
            continue
        if document.get("node") == node:
            return {entry["path"]: entry for entry in document.get("files", [])}
    return {}


def stage_node_file(plan, node, path, depth=0):
    """{variable: value} of a secret file of another node, made the way its secrets.json says
    (a generated file gets test values; a copied one its own source's) and written under
    plan.nodes_root/<node>/<path>, once per run: what a server of that node reads, and what a
    copy on the LiteLLM node must hold."""
    if (node, path) in plan.staged:
        return plan.staged[(node, path)]
    if node == plan.node:
        raise SetupError(f"{path} on {node} is staged with the node's own files, not as another node's")
    entry = node_manifest(plan, node).get(path)
    if entry is None:
        raise SetupError(f"the secrets.json of node {node} lists no {path}")
    source = entry.get("source") or {}
    if source.get("kind") == "copied":
        if depth > 4:
            raise SetupError(f"{node}:{path}: copies of copies go on past {depth} hops")
        copied = stage_node_file(plan, source.get("node"), source.get("path"), depth + 1)
        values = {name: copied[name] for name in entry.get("variables", []) if name in copied}
    else:
        values = {name: test_value(name) for name in entry.get("variables", [])}
    write_private(os.path.join(plan.nodes_root, node, path.lstrip("/")), "".join(f"{k}={v}\n" for k, v in values.items()))
    plan.staged[(node, path)] = values
    return values


# A LiteLLM another owner's gateway runs; the key it takes from this node is the one it minted.
LITELLM_PROGRAM = re.compile(r"(^|/)litellm$")


def offered_key(plan, node):
    """(key, where it comes from) of the virtual key `node`'s LiteLLM minted for this node's
    owner (secrets.json: kind virtual-key with models, copied by this node), else None. Its
    value is the staged file of `node`, which this node's copy holds too (stage_node_file)."""
    for path, entry in node_manifest(plan, node).items():
        source = entry.get("source") or {}
        if source.get("kind") != "virtual-key" or "models" not in source:
            continue
        copied = any((mine.get("source") or {}).get("kind") == "copied" and mine["source"].get("node") == node
                     and mine["source"].get("path") == path for mine in plan.manifest.values())
        variable = (entry.get("variables") or [None])[0]
        if copied and variable:
            values = stage_node_file(plan, node, path)
            if variable in values:
                return values[variable], f"{variable} of {node}'s {path} (the key {node}'s LiteLLM minted for this owner)"
    return None


# The variable each server program reads its API key from (and the flag that overrides it).
SERVER_KEY_VARIABLES = ((re.compile(r"(^|/)vllm$|^vllm\.entrypoints"), "VLLM_API_KEY"),
                        (re.compile(r"(^|/)llama-server$"), "LLAMA_API_KEY"))


def server_key(plan, root, upstream):
    """(key, where it comes from) of the server behind an api_base when its command in the tree
    makes it require one (vllm serve: --api-key, or VLLM_API_KEY from `environment:` or an
    env_file; llama-server likewise with LLAMA_API_KEY), else None. The key is the value of the
    staged file the server's node reads: the LiteLLM node's own, or another node's (made by
    stage_node_file as its secrets.json says), never the value LiteLLM is given."""
    found = {}
    for where, node, service, options in server_commands(plan, upstream):
        argv = (service or {}).get("_argv") or []
        if node != plan.node and LITELLM_PROGRAM.search(options.get("_program", "")):
            # Another owner's gateway (owners.<o>.offers): it takes the key it minted for this one.
            offered = offered_key(plan, node)
            if offered is not None:
                found.setdefault(*offered)
            continue
        variable = next((name for pattern, name in SERVER_KEY_VARIABLES if any(pattern.search(word) for word in argv[:3])), None)
        if "--api-key" in options:
            found.setdefault(options["--api-key"], f"--api-key of {where}")
            continue
        if variable is None or service is None:
            continue
        value, origin = None, None
        manifest = plan.manifest if node == plan.node else node_manifest(plan, node)
        for path, _optional in compose_env_files(service, service["_project"], where):
            if variable not in (manifest.get(path) or {}).get("variables", []):
                continue
            if node == plan.node:
                staged = os.path.join(root, path.lstrip("/"))
                values = read_environment_file(staged) if os.path.isfile(staged) else {}
            else:
                values = stage_node_file(plan, node, path)
            if variable in values:
                value, origin = values[variable], f"{variable} of {node}'s {path} (env_file of {where})"
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
        if environment.get(variable) is not None:
            value, origin = str(environment[variable]), f"{variable} in the environment of {where}"
        if value is not None:
            found.setdefault(value, origin)
    if len(found) > 1:
        raise SetupError(f"{upstream[0]}:{upstream[1]}: the commands serving it require different keys ({', '.join(found.values())})")
    return next(iter(found.items()), None)


def copied_file_checks(plan):
    """Yield (ok, description) of each copied secret file of the LiteLLM node: secrets.json names
    its source (node, path, ssh), the source node's secrets.json has that file with the same
    variables, and the RUNBOOK's hand-over step copies it from there through the operator's
    machine: `ssh SSH cat PATH | ssh … dd … of="$tmp"`, then `mv "$tmp" PATH`, or for a file compose
    reads (mode 0640, root and a group) `sudo install -m MODE -o root -g GROUP "$tmp" PATH`, with
    the mode and group secrets.json states (proof/handover_check.py runs the block itself)."""
    text = open(plan.runbook).read() if os.path.isfile(plan.runbook) else ""
    for path, entry in plan.manifest.items():
        source = entry.get("source") or {}
        if source.get("kind") != "copied":
            continue
        origin = node_manifest(plan, source.get("node")).get(source.get("path"))
        same = origin is not None and origin.get("variables") == entry.get("variables")
        owner = entry.get("owner") or ""
        group = owner.split(":", 1)[1] if owner.startswith("root:") else None
        pipe = f"ssh {source.get('ssh')} cat {source.get('path')} | ssh "
        if group:
            place = f'sudo install -m {entry.get("mode")} -o root -g {group} "$tmp" {path}'
        else:
            place = f'mv "$tmp" {path}'
        copy = f"{pipe}… then {place}"
        copied = (re.search(rf"(^|\s){re.escape(pipe)}", text, re.M) is not None
                  and re.search(rf"(^|\s){re.escape(place)}(\s|\)|$)", text, re.M) is not None)
        yield (same and copied,
               f"{path} ({', '.join(entry.get('variables', []))}) is a copy of {source.get('node')}:{source.get('path')}: "
               + ("its secrets.json lists the same variables" if same else
                  f"its secrets.json lists {origin.get('variables') if origin else 'no such file'}")
               + (f", and the RUNBOOK copies it ({copy})" if copied else f", but the RUNBOOK has no `{copy}`"))


STUB_CHAT_STATUS = re.compile(r'"POST (?:/v1/chat/completions|/api/chat) HTTP/[\d.]+" (\d+)')


def keyed_checks(plan, stubs, base, owner_key, nonce):
    """Yield (ok, description) of every api_base whose server requires a key (server_key): its
    stub refuses a request without it or with another key (401) and answers with it; and every
    chat request LiteLLM sent there so far carried it (the stub logged each 200, none 401)."""
    for upstream, (key, origin) in plan.keys.items():
        where = f"{upstream[0]}:{upstream[1]}"
        models_url = f"http://{url_host(upstream[0])}:{upstream[1]}/v1/models"
        answers = [http("GET", models_url, None)[0], http("GET", models_url, test_value("VLLM_API_KEY"))[0],
                   http("GET", models_url, key)[0]]
        yield (answers == [401, 401, 200],
               f"key: the stub of {where} requires {origin}: GET /v1/models without a key -> {answers[0]}, "
               f"with another -> {answers[1]}, with it -> {answers[2]} (want 401, 401, 200, as vllm serve with a key)")
        try:
            statuses = STUB_CHAT_STATUS.findall(open(stubs.logs[upstream], errors="replace").read())
        except OSError:
            statuses = []
        names = [name for name, routed in plan.routes if routed == upstream]
        yield (bool(statuses) and all(status == "200" for status in statuses),
               f"key: LiteLLM's {len(statuses)} chat request(s) to {', '.join(names)} at {where} carried that key: "
               f"the stub answered {', '.join(f'{statuses.count(code)}×{code}' for code in sorted(set(statuses))) or 'none'} "
               "(want at least one, all 200)")


def wrong_key_checks(plan, root, stubs, restart, nonce):
    """Yield (ok, description): with a different value in the LiteLLM node's copy of a keyed
    server's key file, LiteLLM (restarted, so it reads the file again) gets that server's 401:
    its models answer an error that carries no model's answer, the stub logged a 401 for it,
    and a model of another api_base still answers 200. The copy is rewritten last; nothing runs
    after it."""
    for upstream, (key, origin) in plan.keys.items():
        copies = [path for path, entry in plan.manifest.items()
                  if (entry.get("source") or {}).get("kind") == "copied" and path in {p for p, _ in plan.launcher.environment_files}
                  and key in read_environment_file(os.path.join(root, path.lstrip("/"))).values()]
        if not copies:
            say(f"note: {upstream[0]}:{upstream[1]} requires a key that no copied file LiteLLM loads holds: no wrong-copy check")
            continue
        path = copies[0]
        staged = os.path.join(root, path.lstrip("/"))
        original = open(staged).read()
        wrong = test_value("VLLM_API_KEY")
        with open(staged, "w") as handle:
            handle.write(original.replace(key, wrong))
        base = restart()
        names = [name for name, routed in plan.routes if routed == upstream]
        others = [name for name, routed in plan.routes if routed != upstream]
        for name in names:
            before = STUB_CHAT_STATUS.findall(open(stubs.logs[upstream], errors="replace").read())
            status, content, body, elapsed = chat(base, plan.owner_key, name, timeout=DOWN_TIMEOUT)
            after = STUB_CHAT_STATUS.findall(open(stubs.logs[upstream], errors="replace").read())
            text = body if isinstance(body, str) else json.dumps(body)
            refused = after[len(before):]
            yield (status is not None and status >= 400 and nonce not in text and refused and all(code == "401" for code in refused),
                   f"wrong key: {path} rewritten with another key, LiteLLM restarted: model={name} -> "
                   f"{status} {error_text(body) if status != 200 else ''} in {elapsed:.1f} s; the stub answered {', '.join(refused) or 'nothing'} "
                   "(want an error status with no model's answer, the stub's 401s)")
        if others:
            status, content, body, elapsed = chat(base, plan.owner_key, others[0])
            yield (status == 200 and content is not None and nonce in content,
                   f"wrong key: model={others[0]} (another api_base) still -> {status}")


def named_host_checks(plan):
    """Yield (ok, description) of each api_base host that is a tailnet name (tailnet_names): it is
    the MagicDNS name of a backend's host in the trust report, the api_base and served model are
    that backend's, and in this run the name resolves (as LiteLLM resolves it, through
    /etc/hosts) to the address its stub listens on and to nothing else."""
    import socket
    for host, port in plan.upstreams:
        if host not in plan.names:
            continue
        entry = plan.names[host]
        routed = [(name, entry) for name, upstream in plan.routes if upstream == (host, port)]
        for name, _ in routed:
            base = next((e.get("litellm_params", {}).get("api_base") for e in plan.config.get("model_list") or []
                         if e.get("model_name") == name), None)
            backend = next((b for b in entry["backends"] if b["api_base"] == base and b["port"] == port), None)
            yield (backend is not None and plan.served.get(name) == backend["model"],
                   f"named host: model={name}'s api_base {base} is "
                   + (f"backend {backend['name']}'s (host {entry['host']} on tailnet {entry['tailnet']}, {entry['tag']}; model {backend['model']})"
                      if backend else f"no backend's api_base in the trust report ({[b['api_base'] for b in entry['backends']]})")
                   + ("" if backend is None or plan.served.get(name) == backend["model"] else f", but it asks for {plan.served.get(name)}"))
        try:
            resolved = sorted({info[4][0] for info in socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)})
        except OSError as error:
            resolved = [f"nothing ({error})"]
        yield (resolved == [entry["address"]],
               f"named host: {host} resolves to {', '.join(resolved)} in LiteLLM's namespace (want {entry['address']}, where its stub listens)")


def env_file_checks(plan):
    """Yield (ok, description) about the env files the launcher loads, before anything runs.

    secrets.json names each file's readers: the launcher must load exactly the files that
    LiteLLM reads (one it misses is a key LiteLLM never sees; one more is another app's
    secret handed to the proxy).

    systemd reads EnvironmentFile= as root, before it drops to User=: nothing more to check.
    `docker compose` reads env_file: itself, as the user who runs it: the RUNBOOK's user
    (its steps run `docker compose` without sudo), in the docker group when the RUNBOOK's
    prerequisites add them to it. So for compose, each file's mode and owner (as
    secrets.json says them, which the RUNBOOK's secrets step must agree with, see
    manifest_disagreements) must let that user read it."""
    launcher = plan.launcher
    loaded = [path for path, _ in launcher.environment_files]
    if plan.manifest:
        read_by_litellm = [path for path, entry in plan.manifest.items() if "litellm" in entry.get("readers", [])]
        missed = [path for path in read_by_litellm if path not in loaded]
        foreign = [f"{path} (readers {plan.manifest[path].get('readers')})" for path in loaded
                   if path in plan.manifest and path not in read_by_litellm]
        yield (not missed and not foreign,
               f"{launcher.loader} loads the env files secrets.json says LiteLLM reads ({', '.join(read_by_litellm) or 'none'})"
               + (f"; misses {', '.join(missed)}" if missed else "") + (f"; also loads {', '.join(foreign)}" if foreign else ""))
    if launcher.kind != "compose":
        return
    text = open(plan.runbook).read() if os.path.isfile(plan.runbook) else ""
    user = plan.runbook_user
    groups = {"docker"} if user and re.search(rf"usermod -aG docker {re.escape(user)}\b", text) else set()
    for path, optional in launcher.environment_files:
        entry = plan.manifest.get(path)
        if entry is None:
            yield optional, f"env file {path} of {launcher.loader}: secrets.json does not list it" + (" (optional)" if optional else "")
            continue
        ok = user is not None and readable_by(entry.get("mode"), entry.get("owner"), user, groups)
        yield ok, (f"env file {path} ({entry.get('mode')} {entry.get('owner')}) is readable by {user or 'the RUNBOOK user (not named)'}"
                   f"{' (in group docker)' if groups else ' (not in group docker)'}, who runs docker compose")
