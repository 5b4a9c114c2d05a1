"""Reading the tree for the LiteLLM proof (litellm_check.py): how the node starts LiteLLM
(systemd unit or compose service), its config's routes and routing, the RUNBOOK's secrets
step and secrets.json, and the servers behind each api_base as their commands say.
"""
import glob
import ipaddress
import json
import os
import re
import shlex
import subprocess
import urllib.parse

import nginx_run
import redis_run
from litellm_proof.harness import SYSTEMD_PATH, SetupError

# The RUNBOOK's secrets section writes each env file in a block like
#   [ -e /home/u/.x-key ] || ( umask 077
#     { printf 'LITELLM_MASTER_KEY=sk-%s\n' ...; } > /home/u/.x-key )
# or, for a file a compose service loads (docker compose reads it as whoever runs it, so
# it belongs to root and the docker group),
#   [ -e /home/u/s/.env ] || ( umask 077
#     { printf ...; } | sudo install -m 0640 -o root -g docker /dev/stdin /home/u/s/.env )
# Reading which variable goes into which file, with which mode and owner, from there
# (instead of guessing) keeps a generator bug visible: a key written into a file the
# launcher does not load is a key LiteLLM never sees.
RUNBOOK_SECRET_FILE = re.compile(
    r"\[ -e (\S+) \] \|\| \((.*?)"
    r"(?:>\s*\1|\|\s*(?:sudo\s+)?install\s+((?:-[mog]\s+\S+\s+)*)/dev/stdin\s+\1) \)", re.S)
RUNBOOK_ASSIGNMENT = re.compile(r"printf '([A-Za-z_][A-Za-z0-9_]*)=")
RUNBOOK_UMASK = re.compile(r"\bumask (0?[0-7]{3})\b")
# "Run the steps in order, on this node as me (...)": who runs the steps, so who owns a
# file a step writes with a plain redirection.
RUNBOOK_USER = re.compile(r"on this node as \**([a-z_][a-z0-9_.-]*)\**", re.I)

# LiteLLM's images, whatever the registry and variant (litellm, litellm-database, …).
LITELLM_IMAGE = re.compile(r"^(?:[^/]+/)*berriai/litellm(?:-[a-z0-9_]+)?(?:[:@].*)?$")
# Branches of the image's docker/prod_entrypoint.sh that run something other than
# `exec litellm "$@"`: not modeled here, so a service that takes one fails.
ENTRYPOINT_BRANCHES = {"SEPARATE_HEALTH_APP": "1", "USE_DDTRACE": "true", "USE_NEWRELIC": "true"}
COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")

# Provider prefixes of litellm_params.model -> the API of the backend behind the api_base,
# and the name that backend serves (the model without the prefix).
PROVIDERS = {"openai/": "openai", "hosted_vllm/": "openai", "ollama_chat/": "ollama"}


# ---------------------------------------------------------------------------------------
# Secret files: the RUNBOOK's secrets step and secrets.json


def read_manifest(path):
    """{file: entry} of every file in secrets.json ({} without one)."""
    if not os.path.isfile(path):
        return {}
    return {entry["path"]: entry for entry in json.load(open(path))["files"]}


def read_runbook_secrets(runbook):
    """{file: {"variables", "mode", "owner"}} that the RUNBOOK's secrets section writes; {} without one.

    mode and owner are what the step makes: `install -m M -o O -g G` says them; a plain
    redirection makes a new file 0666 minus the block's umask, owned by who runs the step
    (the user the RUNBOOK names, None when it names nobody). mode is None without a umask:
    then it depends on the operator's shell."""
    if not os.path.isfile(runbook):
        return {}
    text = open(runbook).read()
    user = RUNBOOK_USER.search(text)
    files = {}
    for match in RUNBOOK_SECRET_FILE.finditer(text):
        path, block, install = match.group(1), match.group(2), match.group(3)
        if install is not None:
            options = dict(re.findall(r"(-[mog])\s+(\S+)", install))
            mode = options.get("-m")
            owner = options.get("-o", "root") + (f":{options['-g']}" if "-g" in options else "")
        else:
            umask = RUNBOOK_UMASK.search(block)
            mode = f"0{0o666 & ~int(umask.group(1), 8):o}" if umask else None
            owner = user.group(1) if user else None
        files[path] = {"variables": RUNBOOK_ASSIGNMENT.findall(block), "mode": mode, "owner": owner}
    return files


def normal_mode(mode):
    return None if mode is None else f"0{int(str(mode), 8):o}"


# ---------------------------------------------------------------------------------------
# Reading the tree


def node_path(tree, node, path):
    """Where a node's absolute path lives in the tree: nodes/<node>/<path>."""
    return os.path.join(tree, "nodes", node, path.lstrip("/"))


def on_node(tree, node, path):
    """The node's absolute path of a file in the tree."""
    return "/" + os.path.relpath(path, os.path.join(tree, "nodes", node))


def launcher_files(tree, node):
    """(litellm.service or None, [compose files]) of a node: what may start LiteLLM there.
    Standard library only, so a wrong tree or node fails before the venv is made."""
    unit = node_path(tree, node, "/etc/systemd/system/litellm.service")
    composes = sorted(path for name in COMPOSE_FILES
                      for path in glob.glob(os.path.join(tree, "nodes", node, "**", name), recursive=True))
    if not os.path.isdir(os.path.join(tree, "nodes", node)):
        raise SetupError(f"{os.path.join(tree, 'nodes', node)} does not exist: no node {node} in this tree")
    if not os.path.isfile(unit) and not composes:
        raise SetupError(f"node {node} has neither {unit} nor a compose file: no LiteLLM in this tree")
    return (unit if os.path.isfile(unit) else None), composes


def find_launcher(tree, node, venv):
    """The one launcher of LiteLLM on the node: Unit or ComposeService."""
    unit, composes = launcher_files(tree, node)
    found = [Unit(tree, node)] if unit else []
    for path in composes:
        services = (load_yaml(venv, path) or {}).get("services") or {}
        for name, service in services.items():
            image = str((service or {}).get("image", ""))
            if LITELLM_IMAGE.match(image):
                found.append(ComposeService(tree, node, path, name, service))
            elif name == "litellm":
                raise SetupError(f"{path}: service litellm runs image {image!r}, not LiteLLM's: its entrypoint is unknown here")
    if not found:
        raise SetupError(f"node {node}: no litellm.service and no compose service running LiteLLM's image")
    if len(found) > 1:
        raise SetupError(f"node {node} starts LiteLLM {len(found)} times ({', '.join(l.label for l in found)}): "
                         "they would contend for one port, and this check cannot tell which one the node means")
    return found[0]


class Unit:
    """The [Service] settings of litellm.service and its drop-ins that matter here,
    merged in systemd's order (the unit, then litellm.service.d/*.conf sorted)."""

    kind = "systemd"
    label = "litellm.service"
    loader = "litellm.service"      # in "… does not load it"
    notes = ()

    def __init__(self, tree, node):
        unit = node_path(tree, node, "/etc/systemd/system/litellm.service")
        if not os.path.isfile(unit):
            raise SetupError(f"{unit} does not exist: node {node} has no LiteLLM unit in this tree")
        self.path = unit
        dropins = os.path.join(unit + ".d")
        paths = [unit] + (sorted(os.path.join(dropins, name) for name in os.listdir(dropins) if name.endswith(".conf"))
                          if os.path.isdir(dropins) else [])
        self.environment_settings = {}  # Environment=
        self.unset = []                 # UnsetEnvironment=
        self.environment_files = []     # EnvironmentFile=, as (path, optional)
        self.exec_start = None
        self.user = "root"
        self.working_directory = None
        for path in paths:
            section = None
            for raw in open(path):
                line = raw.strip()
                if not line or line[0] in "#;":
                    continue
                if line.startswith("["):
                    section = line
                    continue
                if section != "[Service]" or "=" not in line:
                    continue
                key, value = (part.strip() for part in line.split("=", 1))
                if key == "Environment":
                    for assignment in shlex.split(value):
                        name, _, setting = assignment.partition("=")
                        self.environment_settings[name] = setting
                elif key == "UnsetEnvironment":
                    self.unset += shlex.split(value)
                elif key == "EnvironmentFile":
                    if value:
                        # A leading '-' makes a missing file no error for systemd.
                        self.environment_files.append((value.lstrip("-"), value.startswith("-")))
                    else:
                        self.environment_files = []
                elif key == "ExecStart":
                    # An empty ExecStart= in a drop-in resets it, as in systemd.
                    self.exec_start = value or None
                elif key == "User":
                    self.user = value
                elif key == "WorkingDirectory":
                    self.working_directory = value
        if not self.exec_start:
            raise SetupError(f"{unit}: no ExecStart=")
        # systemd's prefixes (-, @, +, !, :) are no part of the command.
        self.argv = shlex.split(self.exec_start.lstrip("-@+!:"))
        self.shown = f"ExecStart: {shlex.join(self.argv)}"

    def config_on_node(self, path):
        """The node's path of the --config the command names: the same, for a process on the host."""
        return path

    def runbook_dir(self, config_on_node):
        return self.working_directory or os.path.dirname(config_on_node)

    def environment(self, root, home):
        """The environment systemd gives the unit: nothing of the caller's, then Environment=,
        then the EnvironmentFile= files in order, then UnsetEnvironment=. (User= only names
        USER and LOGNAME here: the process runs as root, which owns the venv.)"""
        environment = {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8", "HOME": home, "USER": self.user,
                       "LOGNAME": self.user, "SHELL": "/bin/sh"}
        environment.update(self.environment_settings)
        environment.update(read_environment_files(self.environment_files, root, "systemd would not start the unit"))
        for name in self.unset:
            environment.pop(name, None)
        return environment


class ComposeService:
    """A compose service that runs LiteLLM's image, read as `docker compose up` would start it."""

    kind = "compose"

    def __init__(self, tree, node, path, name, service):
        self.path, self.name = path, name
        self.label = f"compose service {name} ({os.path.relpath(path, tree)})"
        self.loader = f"compose service {name}"
        self.compose_on_node = on_node(tree, node, path)
        self.project_on_node = os.path.dirname(self.compose_on_node)
        self.notes = []
        service = service or {}
        where = f"{path}: service {name}"
        if "$" in json.dumps(service):
            # docker compose interpolates ${…} from the caller's shell and the project's .env.
            raise SetupError(f"{where} uses $-interpolation, which this check does not model")
        if service.get("network_mode") != "host":
            raise SetupError(f"{where} has network_mode {service.get('network_mode')!r}, not host: in a network of "
                             "its own 127.0.0.1 is the container, so its loopback api_bases and --host would not "
                             "mean what they say on the node, and this check runs LiteLLM on the node's network")
        if service.get("profiles"):
            self.notes.append(f"{self.loader} has profiles {service['profiles']}: `docker compose up -d` does not start it")
        # The image's ENTRYPOINT (docker/prod_entrypoint.sh) ends in `exec litellm "$@"`,
        # its CMD is `--port 4000`; compose's command replaces CMD, entrypoint replaces both.
        entrypoint = words(service.get("entrypoint"))
        command = words(service.get("command"))
        if entrypoint:
            if os.path.basename(entrypoint[0]) != "litellm":
                raise SetupError(f"{where}: entrypoint {entrypoint} is not litellm: not modeled here")
            self.argv = entrypoint + (command or [])
        else:
            self.argv = ["litellm"] + (command if command is not None else ["--port", "4000"])
        self.shown = f"compose: entrypoint {'litellm' if not entrypoint else shlex.join(entrypoint)}, " \
                     f"command {shlex.join(command) if command is not None else '(image CMD) --port 4000'}"

        self.environment_settings = {}
        settings = service.get("environment") or {}
        if isinstance(settings, list):
            settings = dict(item.split("=", 1) if "=" in item else (item, None) for item in settings)
        for key, value in settings.items():
            if value is None:
                # A bare name takes its value from the shell that runs docker compose.
                self.notes.append(f"{self.loader}: environment {key} comes from the caller's shell; left unset here")
                continue
            self.environment_settings[key] = str(value).lower() if isinstance(value, bool) else str(value)

        self.environment_files = []
        env_files = service.get("env_file") or []
        for entry in [env_files] if isinstance(env_files, (str, dict)) else env_files:
            file, required = (entry, True) if isinstance(entry, str) else (entry["path"], entry.get("required", True))
            self.environment_files.append((self.on_host(file), not required))

        # Bind mounts: (container path, host path).
        self.mounts = []
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                if volume.get("type") == "bind":
                    self.mounts.append((volume["target"].rstrip("/") or "/", self.on_host(volume["source"])))
                continue
            parts = str(volume).split(":")
            if len(parts) >= 2 and parts[0][:1] in ("/", ".", "~"):
                self.mounts.append((parts[1].rstrip("/") or "/", self.on_host(parts[0])))
        self.user = str(service.get("user", "root"))

    def on_host(self, path):
        """A path of the compose file (relative ones are relative to the project directory)."""
        if path.startswith("~"):
            raise SetupError(f"{self.path}: {path}: a ~ path depends on who runs docker compose")
        return os.path.normpath(os.path.join(self.project_on_node, path))

    def config_on_node(self, path):
        """The node's file behind the container path --config names: the bind mount that holds it."""
        holders = [(target, source) for target, source in self.mounts
                   if path == target or path.startswith(target.rstrip("/") + "/")]
        if not holders:
            raise SetupError(f"{self.label}: --config {path} is in no bind mount: the container would read "
                             "the image's own file (or none), not the generated config")
        target, source = max(holders, key=lambda holder: len(holder[0]))
        return source if path == target else os.path.join(source, os.path.relpath(path, target))

    def runbook_dir(self, _config_on_node):
        return self.project_on_node

    def environment(self, root, home):
        """The environment compose gives the container: the env files in order (a later one
        wins), then `environment:`, which wins over them. The image's own variables (PATH and
        the like) are the test's: they change nothing LiteLLM does with the config."""
        environment = {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8", "HOME": home}
        environment.update(read_environment_files(self.environment_files, root, "docker compose would not start the service"))
        environment.update(self.environment_settings)
        for variable, value in ENTRYPOINT_BRANCHES.items():
            if environment.get(variable) == value:
                raise SetupError(f"{self.label} sets {variable}={value}: the image's entrypoint then runs something "
                                 "other than `litellm \"$@\"`, which this check does not model")
        return environment


def words(value):
    """A compose command or entrypoint as a list of words (a string is split as a shell would)."""
    if value is None:
        return None
    return shlex.split(value) if isinstance(value, str) else [str(word) for word in value]


def read_environment_files(files, root, consequence):
    """The variables of the staged env files, in order, a later file winning."""
    environment = {}
    for path, optional in files:
        staged = os.path.join(root, path.lstrip("/"))
        if not os.path.isfile(staged):
            if optional:
                continue
            raise SetupError(f"env file {path} is missing: {consequence}")
        environment.update(read_environment_file(staged))
    return environment


class Plan:
    """Everything the run needs to know about one node, read from the tree."""

    def __init__(self, tree, node, venv, intent=None):
        self.tree, self.node, self.venv = tree, node, venv
        # Tailnet names an api_base may use (a backend's host by its MagicDNS name), from the
        # trust report: {name: {"address", "backend", "host", ...}}; see tailnet_names().
        self.names = tailnet_names(intent)
        # Secret files of other nodes staged for this run ({(node, path): {variable: value}}),
        # under nodes_root/<node>/<path>: the files a copied one comes from, and the key files
        # of the servers behind a remote api_base. Set by inside().
        self.staged = {}
        self.nodes_root = None
        self.launcher = find_launcher(tree, node, venv)

        argv = self.launcher.argv
        if not argv or os.path.basename(argv[0]) != "litellm":
            raise SetupError(f"{self.launcher.label} runs {argv[0] if argv else 'nothing'}, not litellm")
        self.exec_argv = argv
        options = self.options(argv[1:])
        if "--config" not in options:
            raise SetupError(f"{self.launcher.label}: the command has no --config")
        self.config_in_argv = options["--config"]
        self.config_on_node = self.launcher.config_on_node(self.config_in_argv)
        self.config_path = node_path(tree, node, self.config_on_node)
        if not os.path.isfile(self.config_path):
            raise SetupError(f"the config {self.launcher.label} names is not in the tree: {self.config_path}")
        # LiteLLM's own defaults when the command does not say.
        self.host = options.get("--host", "0.0.0.0")
        self.port = int(options.get("--port", "4000"))

        self.config = load_yaml(venv, self.config_path) or {}
        general = self.config.get("general_settings") or {}
        self.model_names = [entry["model_name"] for entry in self.config.get("model_list") or []]
        if not self.model_names:
            raise SetupError(f"{self.config_path}: model_list is empty")
        self.served = {}
        self.routes, self.upstreams = self.read_routes()
        self.read_routing()
        self.environment_references = sorted(set(environment_references(self.config)))

        # The owner holds the key the launcher's environment gives LiteLLM: the variable that
        # general_settings.master_key names, or LiteLLM's own LITELLM_MASTER_KEY when the
        # config does not read it from the environment (then the check shows whether the
        # proxy really uses the key the owner has).
        master = general.get("master_key")
        if isinstance(master, str) and master.startswith("os.environ/"):
            self.master_key_variable = master[len("os.environ/"):]
        else:
            self.master_key_variable = "LITELLM_MASTER_KEY"

        self.runbook = node_path(tree, node, os.path.join(self.launcher.runbook_dir(self.config_on_node), "RUNBOOK.md"))
        self.runbook_files = read_runbook_secrets(self.runbook)
        self.files_from_runbook = {path: entry["variables"] for path, entry in self.runbook_files.items()}
        user = RUNBOOK_USER.search(open(self.runbook).read()) if os.path.isfile(self.runbook) else None
        self.runbook_user = user.group(1) if user else None
        # secrets.json (beside the RUNBOOK) is the layout as data; the RUNBOOK must agree with it.
        self.manifest_path = os.path.join(os.path.dirname(self.runbook), "secrets.json")
        self.manifest = read_manifest(self.manifest_path)
        self.files_from_manifest = {path: entry["variables"] for path, entry in self.manifest.items()}

        # What the config's response cache is: LiteLLM's default type is redis.
        settings = self.config.get("litellm_settings") or {}
        params = settings.get("cache_params") or {}
        self.redis_cache = params if settings.get("cache") and params.get("type", "redis") == "redis" else None
        # The node's compose services that work with LiteLLM: Redis, its cache, and NGINX, in front of it.
        redis, self.nginx = [], []
        for path in launcher_files(tree, node)[1]:
            services = (load_yaml(venv, path) or {}).get("services") or {}
            redis += [(path, name, service or {}) for name, service in services.items() if redis_run.is_redis(service)]
            project = on_node(tree, node, os.path.dirname(path))
            self.nginx += [(path, name, service, mounts)
                           for name, service, mounts in nginx_run.nginx_services({"services": services}, project)]
        if len(redis) > 1 or len(self.nginx) > 1:
            raise SetupError(f"node {node} runs {len(redis)} Redis and {len(self.nginx)} NGINX compose services: "
                             "this check models one of each")
        self.redis = redis[0] if redis else None

    @staticmethod
    def options(arguments):
        """--name value and --name=value pairs of a command line."""
        found, index = {}, 0
        while index < len(arguments):
            argument = arguments[index]
            if argument.startswith("--") and "=" in argument:
                name, _, value = argument.partition("=")
                found[name] = value
            elif argument.startswith("--") and index + 1 < len(arguments):
                found[argument] = arguments[index + 1]
                index += 1
            index += 1
        return found

    def read_routes(self):
        """([(model_name, (host, port))], {(host, port): (api, [served model names])}) of the model list.

        api is what the provider prefix makes LiteLLM speak to the api_base: "ollama" (Ollama's
        native /api/chat) or "openai" (<api_base>/chat/completions). The stub serves that API
        at the real server's paths, so an api_base whose path does not fit its provider fails."""
        routes, upstreams = [], {}
        for entry in self.config.get("model_list") or []:
            params = entry.get("litellm_params") or {}
            base = params.get("api_base")
            if not base:
                raise SetupError(f"model {entry.get('model_name')} has no api_base: nothing local to stand in for")
            url = urllib.parse.urlsplit(base)
            if url.scheme != "http":
                raise SetupError(f"api_base {base}: the stub speaks plain http only")
            try:
                ipaddress.ip_address(url.hostname)
            except ValueError:
                if url.hostname not in self.names:
                    raise SetupError(f"api_base {base}: host is not an IP address, nor the tailnet name of a backend's host "
                                     "in the trust report (--intent); only those can be made local")
            model = params.get("model", "")
            if model.startswith("ollama/"):
                raise SetupError(f"model {model}: LiteLLM's ollama/ provider speaks /api/generate, which the stub "
                                 "does not serve (spark-gen generates ollama_chat/)")
            # The name the backend serves is the model without LiteLLM's provider prefix;
            # an unknown prefix stays, and the stub answers 404 for it.
            api, served = "openai", model
            for prefix, kind in PROVIDERS.items():
                if model.startswith(prefix):
                    api, served = kind, model[len(prefix):]
            upstream = (url.hostname, url.port or 80)
            known_api, served_there = upstreams.setdefault(upstream, (api, []))
            if known_api != api:
                raise SetupError(f"{upstream[0]}:{upstream[1]} is the api_base of an {known_api} and an {api} model: "
                                 "one server cannot speak both")
            served_there.append(served)
            routes.append((entry["model_name"], upstream))
            self.served[entry["model_name"]] = served
        return routes, upstreams


    def address(self, host):
        """The literal address behind an api_base host: itself, or the one a tailnet name is mapped to."""
        return self.names[host]["address"] if host in self.names else host

    def read_routing(self):
        """What the config routes between models (see routing_checks in router.py): router_settings.fallbacks
        as {name: [targets]}, model_group_alias as {alias: model}, and each model_name's
        litellm_params.max_parallel_requests as {model_name: cap}."""
        router = self.config.get("router_settings") or {}
        self.router_settings = router
        self.fallbacks = {}
        for entry in router.get("fallbacks") or []:
            for name, targets in (entry or {}).items():
                self.fallbacks[str(name)] = [str(target) for target in targets or []]
        self.aliases = {}
        for alias, target in (router.get("model_group_alias") or {}).items():
            # The item form {model: ..., hidden: true} names its model under "model".
            self.aliases[str(alias)] = str(target.get("model") if isinstance(target, dict) else target)
        self.caps = {}
        for entry in self.config.get("model_list") or []:
            cap = (entry.get("litellm_params") or {}).get("max_parallel_requests")
            if cap is not None:
                self.caps[entry["model_name"]] = int(cap)
        self.routing = bool(self.fallbacks or self.aliases or self.caps)

    def chain(self, name):
        """The models LiteLLM tries, in order, when `name` (a model or an alias) fails: its chain,
        each target followed by the target's own chain before the next (LiteLLM falls back again
        from a target that fails, with that target's chain, then goes on with the rest), never a
        model twice."""
        order, seen = [], {name, self.aliases.get(name, name)}
        def walk(current):
            for target in self.fallbacks.get(current, []):
                if target not in seen:
                    seen.add(target)
                    order.append(target)
                    walk(target)
        walk(name)
        return order

    def seniors(self):
        """Models whose chain is written empty, under their own name or a route alias's."""
        return [name for name in self.model_names
                if self.fallbacks.get(name) == [] or any(self.fallbacks.get(alias) == [] for alias, model in self.aliases.items() if model == name)]


# Where this check puts the tailnet names of backends' hosts: addresses of Tailscale's range
# (100.64.0.0/10) that no node of a topology has by default, one per name, in the namespace only.
NAMED_HOST_ADDRESSES = ipaddress.ip_network("100.127.254.0/24")


def tailnet_names(intent):
    """{name: {"address", "backend", "host", "tailnet", "tag", "port", "api_base", "model"}} of every
    backend in the trust report (`spark-gen trust --format json`): its host's MagicDNS name
    (hosts[].tailnet_hostname), which the gateways' api_base names, and the address this check
    maps it to in LiteLLM's /etc/hosts; {} without an intent or backends."""
    if not intent:
        return {}
    document = json.load(open(intent))
    hosts = {host["name"]: host for host in document.get("hosts", [])}
    literals = {interface["ip"] for node in document.get("nodes", []) for interface in node.get("interfaces", [])}
    literals |= {node["tailnet_ip"] for node in document.get("nodes", []) if node.get("tailnet_ip")}
    free = (str(address) for address in NAMED_HOST_ADDRESSES.hosts() if str(address) not in literals)
    names = {}
    for backend in document.get("backends", []):
        host = hosts.get(backend["host"], {})
        name = host.get("tailnet_hostname") or urllib.parse.urlsplit(backend["api_base"]).hostname
        entry = names.setdefault(name, {"address": next(free), "backends": [], "host": backend["host"],
                                        "tailnet": host.get("tailnet") or backend["tailnet"], "tag": host.get("tag") or backend["tag"]})
        entry["backends"].append(backend)
    return names


# load_yaml's answers by file (path and the file's identity, size and mtime): a node's Plan
# reads the same compose files again for each backend it looks up (server_commands), and
# each reading started the venv's python.
PARSED = {}


def load_yaml(venv, path):
    """Parse YAML with the PyYAML of the venv (LiteLLM's own dependency), so the system
    python needs nothing beyond the standard library. A fresh copy each call."""
    status = os.stat(path)
    key = (venv, os.path.abspath(path), status.st_ino, status.st_size, status.st_mtime_ns)
    if key not in PARSED:
        program = "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)"
        result = subprocess.run([os.path.join(venv, "bin", "python"), "-c", program, path],
                                capture_output=True, text=True, timeout=60)
        PARSED[key] = (result.returncode, result.stdout, result.stderr)
    returncode, stdout, stderr = PARSED[key]
    if returncode != 0:
        raise SetupError(f"{path} is not valid YAML:\n{stderr.strip()}")
    return json.loads(stdout)


def environment_references(value):
    """Every NAME of an `os.environ/NAME` string anywhere in the config."""
    if isinstance(value, dict):
        for item in value.values():
            yield from environment_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from environment_references(item)
    elif isinstance(value, str) and value.startswith("os.environ/"):
        yield value[len("os.environ/"):]


def write_private(path, text):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def read_environment_file(path):
    """KEY=VALUE lines as systemd and docker compose read them (comments, optional quotes)."""
    values = {}
    for raw in open(path):
        line = raw.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


# ---------------------------------------------------------------------------------------
# Routing between models: fallbacks, max_parallel_requests, model_group_alias


def server_slots(plan, upstream):
    """(slots, where) of the server behind an api_base, as its command in the tree says them:
    llama-server's --parallel (-np) or vllm serve's --max-num-seqs, in the compose service or
    systemd unit whose command listens on that port (and host, when it names one); None when
    no command, or more than one that disagree, say it (a default is not read as a promise)."""
    found = set()
    for where, _node, _service, options in server_commands(plan, upstream):
        for flag in ("--parallel", "-np", "--max-num-seqs"):
            if flag in options and options[flag].isdigit():
                found.add((int(options[flag]), f"{flag} {options[flag]} of {where}"))
    return found.pop() if len({slots for slots, _ in found}) == 1 and len(found) == 1 else None


def server_commands(plan, upstream):
    """[(where, node, compose service or None, {flag: value})] of every compose service or
    systemd unit in the tree whose command listens on the api_base's port (and host, when it
    names one): on the LiteLLM node for a loopback api_base, on any node otherwise (a tailnet
    name is a host spark-gen does not deploy to: no node's command serves it)."""
    host, port = upstream
    if host in plan.names:
        return []
    loopback = ipaddress.ip_address(host).is_loopback
    nodes = [plan.node] if loopback else sorted(os.listdir(os.path.join(plan.tree, "nodes")))
    commands = []
    for node in nodes:
        for path in sorted(glob.glob(os.path.join(plan.tree, "nodes", node, "**", "*"), recursive=True)):
            name = os.path.basename(path)
            if not os.path.isfile(path):
                continue
            if name in COMPOSE_FILES:
                try:
                    services = (load_yaml(plan.venv, path) or {}).get("services") or {}
                except SetupError:
                    continue
                for service_name, service in services.items():
                    service = service or {}
                    argv = (words(service.get("entrypoint")) or []) + (words(service.get("command")) or [])
                    if not service.get("entrypoint") and LITELLM_IMAGE.match(str(service.get("image") or "")):
                        # LiteLLM's image runs `litellm "$@"` with the service's command.
                        argv = ["litellm"] + argv
                    service = dict(service, _project=on_node(plan.tree, node, os.path.dirname(path)), _argv=argv)
                    commands.append((f"compose service {service_name} on {node}", node, service, argv))
            elif name.endswith(".service"):
                text = re.sub(r"\\\n", " ", open(path, errors="replace").read())
                for line in text.splitlines():
                    if line.strip().startswith("ExecStart=") and line.strip() != "ExecStart=":
                        try:
                            commands.append((f"{name} on {node}", node, None, shlex.split(line.strip()[len("ExecStart="):].lstrip("-@+!:"))))
                        except ValueError:
                            pass
    matching = []
    for where, node, service, argv in commands:
        options = {}
        for index, word in enumerate(argv):
            flag, equals, value = word.partition("=")
            if equals and flag.startswith("-"):
                options[flag] = value
            elif word.startswith("-") and index + 1 < len(argv):
                options[word] = argv[index + 1]
        options["_program"] = argv[0] if argv else ""
        if options.get("--port") != str(port):
            continue
        if options.get("--host") not in (None, host, "0.0.0.0", "::"):
            continue
        matching.append((where, node, service, options))
    return matching


# ---------------------------------------------------------------------------------------
# Redis and NGINX, as the node's compose services run them


def compose_env_files(service, project_on_node, what):
    """[(path on the node, optional)] of a compose service's env_file."""
    files = []
    entries = service.get("env_file") or []
    for entry in [entries] if isinstance(entries, (str, dict)) else entries:
        file, required = (entry, True) if isinstance(entry, str) else (entry["path"], entry.get("required", True))
        if file.startswith("~"):
            raise SetupError(f"{what}: env_file {file}: a ~ path depends on who runs docker compose")
        files.append((os.path.normpath(os.path.join(project_on_node, file)), not required))
    return files
