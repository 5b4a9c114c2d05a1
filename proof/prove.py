#!/usr/bin/env python3
"""Proves every example's generated files with the programs that will read them.

  prove.py [--binary PATH] [--example NAME ...] [--only CHECKER ...]
  prove.py --tree OUT_DIR --intent TRUST_JSON [--only CHECKER ...]

(--only netns shell and --only netns --only shell are the same.)

For each examples/<name>/topology.yaml it builds a fresh tree with spark-gen (or, with
--tree, takes a tree as it is, for tests that break one on purpose) and runs:

  shell    bash -n and shellcheck (no finding of any severity) on every script
  runbook  the same on the shell blocks of every RUNBOOK.md, joined in order
  systemd  systemd-analyze verify on every unit and drop-in (offline root, stubbed binaries);
           systemd only warns on bad keys, so any output counts as a failure
  compose  docker-compose config on every compose file, plus the restart policies it ignores
  yaml     every YAML artifact read back by PyYAML (nodes/ and hosts/ alike: models.yaml too)
  discovery every hosts/*/spark-control/endpoints.json valid against schemas/endpoints.schema.json
           (Draft 7, the schema itself checked too), every base_url the panel's (models.yaml's
           panel_url; the nodes' ports admit the panel alone) and its vllm.model the served_name
           of the catalog's active model (models.yaml beside it)
  policy   every tailnet policy parsed, its grants and tagOwners checked, its tests block
           evaluated against the grants and compared with the intent of `spark-gen trust`
  netns    the trust boundary on a real kernel, from every vantage of the intent: LAN
           neighbours, link peers, tailnets and hosts (a spark-control panel) admitted by
           address (proof/netns_matrix.py)
  litellm  the real LiteLLM proxy serving each generated config, as litellm.service or the
           compose service that runs LiteLLM's image starts it, in front of stand-ins for
           Ollama, vLLM and llama.cpp; also with each backend down; with the node's Redis
           service (a real redis-server, run as its compose command says) as its cache, and
           through its NGINX service (a real nginx, TLS, streaming), when the node has them
           (proof/litellm_check.py)
  litellm-config  the part of litellm that needs no proxy: the env files and secrets manifest,
           and the config as LiteLLM's own config loader builds its Router from it (the proxy's
           load_config, proof/router_readback.py); run only when asked, for break cases of the config
  nginx    every NGINX compose service (one mounting a conf at /etc/nginx/conf.d/default.conf):
           the generated scripts/certs.sh makes the self-signed pair (and keeps it when run
           again), then `nginx -t` on the image's nginx.conf with the service's bind mounts at
           their container paths, in a private mount namespace (proof/nginx_run.py); any
           warning counts as a failure
  postgres litellm-db on a real PostgreSQL, initialised as the image's entrypoint does, and
           the RUNBOOK's migration of the guide's database (not applicable, and said so, on a
           node whose LiteLLM runs in compose, which the guide never set up): both ask for the
           password on 127.0.0.1 and on the socket, and the migration puts the password on no
           process's command line (traced with strace) (proof/postgres_check.py)
  hf       every `hf download` line of every RUNBOOK.md through the real Hugging Face CLI, the
           version pip resolves from the runbook's own pip3 install line, with the downloads
           recorded instead of run: repository, files, --include and every --exclude reach the
           download as the line says (proof/hf_check.py)
  ray      every multi-node Ray cluster started for real (the `ray` the tree's Dockerfile pins, from
           PyPI into ~/.cache/spark-gen/ray-venv-system): the generated head and worker entrypoints, with
           their launch scripts' environment and token, in network namespaces on the link addresses
           behind the generated ufw; a worker with a wrong token must not join; what `ss` shows Ray
           bound must be what `trust` lists, reached only from where it says (proof/ray_check.py);
           not applicable, so no row, on a tree without a multi-node cluster; run only when
           asked (--only ray), since RayProofTests runs it once per example in `swift test`
  swap     every node's scripts/swap.sh run for real, with the head's launch scripts and the
           workers' scripts unchanged, against stand-ins for docker, ssh and the vLLM API in a
           private network namespace: a swap stops every catalog container (on the workers over
           ssh), starts the workers before the head and waits until the API lists the model; a
           second run does nothing; a container that dies, restarts or crash-loops fails early
           and the previous model comes back; two swaps never overlap; a single-node swap needs
           no worker; an unknown model and a time-out fail as they should; the ssh gates refuse
           what they must (proof/swap_check.py); not applicable, so no row (as postgres has
           none without litellm-db), on a tree without scripts/swap.sh
  hfcache  every vLLM container (launch scripts, compose services): its hub cache mount is `:ro`,
           and with its environment the real huggingface_hub (hf's venv) loads the served
           repository as vLLM does at start from that cache mounted read-only in a private mount
           namespace, while a stand-in Hub says the branch moved; the cache stays unchanged, and
           the control without HF_HUB_OFFLINE fails on the read-only file system
           (proof/hf_cache_check.py); no row on a tree without a vLLM container
  vllm     every `vllm serve` line (compose services, entrypoint scripts) against what the vLLM
           of its image accepts: every flag exists and every enumerated value (kv-cache dtype,
           tool and reasoning parsers, quantization, load format, dtype, executor backend) is
           taken. The image's vLLM comes from facts/vllm/images.json (a local build through its
           Dockerfile's FROM), the accepted arguments from facts/vllm/<version>.json, extracted
           from vLLM's source at the release's tag by scripts/vllm-facts.py (proof/vllm_check.py).
           vLLM itself needs a GPU and is not run: the table is read from its source
  handover every RUNBOOK.md step 'Secrets from other nodes' run for real, as the operator pastes
           it, against stand-ins for ssh and sudo on scratch copies of the nodes: a source that
           is down, empty or without values fails the step and leaves nothing beside the file;
           a value arrives with its mode and owner and on no command line; a second run keeps
           it; an empty file an earlier runbook left is replaced (proof/handover_check.py); no
           row on a tree whose secrets.json files copy nothing; 'Keys offered by other owners' too
  offer    a key an owner's gateway offers another owner (owners.<o>.offers): the offering
           RUNBOOK.md's mint block run for real in its own namespaces against a stand-in of
           /key/generate that parses the body with LiteLLM's GenerateKeyRequest (master key as
           Bearer, models exactly the offered ones, the key in a 0600 file and on no command
           line, a second run keeps it); LiteLLM's can_key_call_model allows the offered models
           and refuses the gateway's others; the receiving LiteLLM routes each offered model to
           the gateway with the key and loads the copy (proof/offer_check.py); no row without offers
  netplan  every /etc/netplan/60-spark-gen-<link>.yaml rendered by the real netplan (`netplan
           generate --root-dir`, no running systemd, this machine untouched) with no warning: mode
           0600, the bytes RUNBOOK.md writes, and the rendered units give each direct link's or
           fabric's address with its prefix, verify.sh's has_address and mtu_is, no gateway or
           route, boot not waiting for the port; nothing for a LAN (proof/netplan_check.py); no
           row on a tree without direct links or fabrics

  ansible  every ansible/ with the real ansible-core and ansible-lint from PyPI (in a cached venv,
           ~/.cache/spark-gen/ansible-venv): `ansible-playbook --syntax-check`, the inventory listed
           (every node with ansible_host and ansible_user), `ansible-lint` with its default rules,
           `sh -n` on drift.sh (proof/ansible_check.py); one run of it for all the examples
           asked (each tool's start imports ansible-core), its findings told to each example
  apply    for split-trust and spark-control, a real apply over ssh to one node in its own mount,
           network and PID namespaces with its own sshd, stand-ins logging systemctl/docker/ufw/pip
           calls: the handlers restart exactly what changed (a config file read at start: the
           service that reads it), a second run changes and restarts
           nothing, drift.sh names the one file changed on the node, --tags weights runs the
           runbook's hf downloads, a failing verify.sh fails the play, a missing secret stops the
           services play by its path (proof/ansible_apply.py; docs/ansible.md); no row on the
           other examples

--node NODE limits the proofs run per node (litellm, postgres, swap, handover, apply) to that
node: a break case names the node it broke. --fail-fast stops litellm after the first part of
its checks (keys, router settings, Redis, NGINX, the node's scripts, routing, backends down,
the restart with a wrong key) that has a failure, and swap after its first failing check: a
break case needs the part it broke, the parts after it were proven on the unbroken tree.
--apply-only CHECK runs one check of apply (files, weights, calls, drift, changes) after the
part of the first run it needs, chosen by tag (proof/ansible_apply.py's ONLY): a break case of
it, whose other checks the unbroken tree proved whole.
--ansible-only CHECK runs only that static check of ansible: `syntax-check`, or `lint:RULE`
(ansible-lint's rules of that id alone, -t RULE): a break case of it.
--swap-only CHECK runs only that check of swap (gates, lock, restarting, worker) after its
start, without the checks before it, which the unbroken tree proved and which leave it nothing
but a model serving. --litellm-only PART runs only that part of litellm's checks (proxy,
settings, keys, redis, nginx, scripts, routing, down, restart) after the file checks and the
starts it needs (stubs, Redis, the proxy; NGINX for nginx and scripts): a break case of NGINX's
headers need not send every model its completions again.

It prints a table per example (artifact, checker, result) and the reachability matrix, and
exits 1 when anything fails. A missing tool is a failure, never a skip.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import netplan_check
import nginx_run
import tailnet_policy
import vllm_check
from litellm_proof.tree import LITELLM_IMAGE  # not litellm_check: prove.py starts for every checker, this is all it needs

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESTART_POLICIES = re.compile(r"^(no|always|unless-stopped|on-failure(:\d+)?)$")


def run(command, **options):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=options.pop("timeout", 300), **options)
    except FileNotFoundError:
        return subprocess.CompletedProcess(command, 127, "", f"{command[0]} is not installed (scripts/bootstrap.sh --test installs it)")


class Example:
    def __init__(self, name, tree, intent_path):
        self.name = name
        self.tree = tree
        self.intent_path = intent_path
        self.intent = json.load(open(intent_path))
        self.matrix = ""
        self.nodes = set()
        self.fail_fast = False
        self.ansible = None  # check_ansible_all's result for this tree
        self.ansible_only = None
        self.apply_only = None
        self.swap_only = []
        self.litellm_only = []

    @classmethod
    def build(cls, name, binary, scratch):
        topology = os.path.join(ROOT, "examples", name, "topology.yaml")
        tree = os.path.join(scratch, name, "tree")
        intent_path = os.path.join(scratch, name, "intent.json")
        build = run([binary, "build", topology, "-o", tree])
        if build.returncode != 0:
            raise RuntimeError(f"spark-gen build {topology} failed:\n{build.stderr}")
        trust = run([binary, "trust", topology, "--format", "json"])
        with open(intent_path, "w") as handle:
            handle.write(trust.stdout)
        return cls(name, tree, intent_path)

    def wants(self, node):
        """Whether a per-node proof runs on `node` (prove.py --node: a break case names the node
        it broke, and the proof of the other nodes, already run on the unbroken tree, is skipped)."""
        return not self.nodes or node in self.nodes

    def files(self, pattern):
        return sorted(glob.glob(os.path.join(self.tree, "**", pattern), recursive=True))

    def relative(self, path):
        return os.path.relpath(path, self.tree)


def check_shell(example):
    for path in example.files("*.sh"):
        syntax = run(["bash", "-n", path])
        lint = run(["shellcheck", "-f", "gcc", "-S", "style", path])
        ok = syntax.returncode == 0 and lint.returncode == 0 and not lint.stdout
        yield example.relative(path), "bash -n, shellcheck", ok, (syntax.stderr + lint.stdout + lint.stderr).strip()


def check_runbook(example):
    """The shell blocks of every RUNBOOK.md, in order, as one script: an operator pastes them."""
    for path in example.files("RUNBOOK.md"):
        text = open(path).read()
        blocks = re.findall(r"^```sh\n(.*?)^```$", text, re.S | re.M)
        if not blocks and re.search(r"^```powershell$", text, re.M):
            # A Windows host's runbook (hosts/<host>/): no PowerShell here to parse it with; its
            # commands are cited in BackendHostEmitter and read in HomelabOneBoxComeUpTests.
            yield example.relative(path), "PowerShell blocks: not run (no pwsh here)", True, ""
            continue
        script = "#!/usr/bin/env bash\n" + "\n".join(blocks)
        with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as handle:
            handle.write(script)
        try:
            syntax = run(["bash", "-n", handle.name])
            # SC2016: the migration's `bash -c '…$POSTGRES_PASSWORD…'` expands in the container, on purpose.
            # SC1091: the secret files a block sources exist only on the node.
            lint = run(["shellcheck", "-f", "gcc", "-S", "style", "-e", "SC2016,SC1091", handle.name])
        finally:
            os.unlink(handle.name)
        ok = bool(blocks) and syntax.returncode == 0 and lint.returncode == 0 and not lint.stdout
        detail = (syntax.stderr + lint.stdout + lint.stderr).replace(handle.name, "RUNBOOK.md blocks").strip()
        yield example.relative(path), "shell blocks: bash -n, shellcheck", ok, detail or ("" if blocks else "no shell blocks")


def check_systemd(example):
    for node_dir in sorted(glob.glob(os.path.join(example.tree, "nodes", "*"))):
        units = sorted(glob.glob(os.path.join(node_dir, "etc", "systemd", "system", "**", "*"), recursive=True))
        units = [unit for unit in units if os.path.isfile(unit)]
        if not units:
            continue
        scratch = tempfile.mkdtemp(prefix="spark-gen-systemd-")
        try:
            shutil.copytree("/usr/lib/systemd/system", os.path.join(scratch, "usr/lib/systemd/system"))
            shutil.copytree(os.path.join(node_dir, "etc"), os.path.join(scratch, "etc"))
            # ExecStart binaries live on the node, not here: stub them inside the scratch root.
            for unit in units:
                for line in open(unit):
                    if line.startswith("ExecStart="):
                        binary = line[len("ExecStart="):].split()[0]
                        stub = os.path.join(scratch, binary.lstrip("/"))
                        os.makedirs(os.path.dirname(stub), exist_ok=True)
                        with open(stub, "w") as handle:
                            handle.write("#!/bin/sh\n")
                        os.chmod(stub, 0o755)
            services = [os.path.join(scratch, os.path.relpath(unit, node_dir)) for unit in units if unit.endswith(".service")]
            result = run(["systemd-analyze", "verify", "--man=no", "--recursive-errors=no", f"--root={scratch}"] + services)
            ok = result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip()
            for unit in units:
                yield example.relative(unit), "systemd-analyze verify", ok, (result.stdout + result.stderr).strip()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def check_compose(example):
    import yaml
    for path in example.files("compose.yaml"):
        compose = yaml.safe_load(open(path))
        problems = []
        env_files = []
        for name, service in compose.get("services", {}).items():
            if not RESTART_POLICIES.match(str(service.get("restart", "no"))):
                problems.append(f"{name}: restart '{service.get('restart')}' is not a Docker restart policy")
            env_files += service.get("env_file", [])
        # docker-compose insists that env files exist; they hold secrets that only exist on the
        # node, so stand-ins are created in a private mount namespace over a scratch /home.
        creates = " && ".join(f"mkdir -p {os.path.dirname(f)!r} && echo X=1 > {f!r}" for f in env_files) or "true"
        script = f"mount --make-rprivate / && mount -t tmpfs tmpfs /home && {creates} && docker-compose -f {path!r} config -q"
        result = run(["unshare", "--mount", "bash", "-c", script])
        if result.returncode != 0:
            problems.append((result.stderr or result.stdout).strip())
        yield example.relative(path), "docker-compose config, restart policies", not problems, "\n".join(problems)


def check_yaml(example):
    import yaml
    for path in example.files("*.yaml"):
        try:
            document = yaml.safe_load(open(path))
            ok, detail = isinstance(document, dict), "" if isinstance(document, dict) else "not a mapping"
        except yaml.YAMLError as error:
            ok, detail = False, str(error)
        yield example.relative(path), "PyYAML", ok, detail


ENDPOINTS_SCHEMA = os.path.join(ROOT, "schemas", "endpoints.schema.json")


def check_discovery(example):
    """Every panel's endpoints.json against schemas/endpoints.schema.json, and its vllm entry
    against the catalog it sits beside (models.yaml): the active model's base URL and served name."""
    import jsonschema
    import yaml
    for path in sorted(glob.glob(os.path.join(example.tree, "hosts", "*", "spark-control", "endpoints.json"))):
        problems = []
        try:
            schema = json.load(open(ENDPOINTS_SCHEMA))
            jsonschema.Draft7Validator.check_schema(schema)
        except (OSError, json.JSONDecodeError, jsonschema.SchemaError) as error:
            yield example.relative(path), "endpoints.schema.json (Draft 7), models.yaml's active model", False, f"the schema: {error}"
            continue
        try:
            document = json.load(open(path))
        except json.JSONDecodeError as error:
            yield example.relative(path), "endpoints.schema.json (Draft 7), models.yaml's active model", False, f"not JSON: {error}"
            continue
        validator = jsonschema.Draft7Validator(schema)
        problems += [f"{'/'.join(map(str, error.absolute_path)) or '(document)'}: {error.message}"
                     for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]
        catalog_path = os.path.join(os.path.dirname(path), "models.yaml")
        try:
            catalog = yaml.safe_load(open(catalog_path))
        except (OSError, yaml.YAMLError) as error:
            catalog = {}
            problems.append(f"models.yaml beside it: {error}")
        if not isinstance(catalog, dict):
            catalog = {}
            problems.append("models.yaml beside it is not a mapping")
        vllm = document.get("vllm") if isinstance(document, dict) else None
        # A missing or malformed vllm entry is the schema's finding.
        if catalog and isinstance(vllm, dict):
            active = catalog.get("active")
            entries = [entry for entry in catalog.get("models") or [] if isinstance(entry, dict) and entry.get("id") == active]
            if len(entries) != 1:
                problems.append(f"models.yaml: active {active!r} is {len(entries)} entries of models, not 1")
            elif entries[0].get("served_name") != vllm.get("model"):
                problems.append(f"vllm.model {vllm.get('model')!r} is not the active model's served_name {entries[0].get('served_name')!r}")
            # The nodes' ports admit the panel alone: LAN clients are sent to the panel, which forwards.
            panel_url = catalog.get("panel_url")
            if not panel_url:
                problems.append("models.yaml has no panel_url: the document would send LAN clients to ports that admit the panel alone")
            elif vllm.get("base_url") != f"{panel_url}/v1":
                problems.append(f"vllm.base_url {vllm.get('base_url')!r} is not the panel's {panel_url + '/v1'!r} (models.yaml's panel_url)")
            for name, entry in document.items():
                if name != "vllm" and isinstance(entry, dict) and panel_url and entry.get("base_url") != panel_url:
                    problems.append(f"{name}.base_url {entry.get('base_url')!r} is not the panel's {panel_url!r}")
        yield example.relative(path), "endpoints.schema.json (Draft 7), models.yaml's active model", not problems, "\n".join(problems)


def check_policy(example):
    for path in example.files("policy.hujson"):
        tailnet = os.path.basename(os.path.dirname(path))
        problems = []
        try:
            policy = tailnet_policy.load(path)
        except json.JSONDecodeError as error:
            yield example.relative(path), "policy tests", False, f"not JSON: {error}"
            continue
        if "acls" in policy:
            problems.append("uses the legacy acls form")
        if not isinstance(policy.get("grants"), list) or not policy["grants"]:
            problems.append("has no explicit grants array (a policy with neither allows everything)")
        named = {t for grant in policy.get("grants", []) for t in grant["src"] + grant["dst"] if t.startswith("tag:")}
        problems += [f"{tag} is not declared in tagOwners" for tag in sorted(named - set(policy.get("tagOwners", {})))]
        for test in policy.get("tests", []):
            for expectation in ("accept", "deny"):
                for destination in test.get(expectation, []):
                    host, port = destination.rsplit(":", 1)
                    granted = tailnet_policy.granted_ports(policy, test["src"], host)
                    allowed = granted is None or int(port) in granted
                    if allowed != (expectation == "accept"):
                        problems.append(f"test {expectation} {destination} for {test['src']} fails")
        # The tests must state exactly what the intent says the tailnet reaches on its nodes.
        nodes = [node["name"] for node in example.intent["nodes"] if node["tailnet"] == tailnet]
        intended = {c["port"] for c in example.intent["reachability"] if c["node"] in nodes and c["vantage"] == "own-tailnet" and c["reachable"]}
        refused = {c["port"] for c in example.intent["reachability"] if c["node"] in nodes and c["vantage"] == "own-tailnet" and not c["reachable"]}
        # What the tailnet's users are tested for on its nodes' tag (not what the tag itself may reach).
        tag = policy["tagOwners"] and next(iter(policy["tagOwners"]))
        user_tests = [test for test in policy.get("tests", []) if not test["src"].startswith("tag:")]
        # A node that serves ports the others do not gets them on its own tag (the intent's "tags").
        node_tags = {t for node in example.intent["nodes"] if node["tailnet"] == tailnet for t in node.get("tags") or []} | {tag}
        on_tag = lambda d: d.rsplit(":", 1)[0] in node_tags
        accepted = {int(d.rsplit(":", 1)[1]) for test in user_tests for d in test.get("accept", []) if on_tag(d)}
        denied = {int(d.rsplit(":", 1)[1]) for test in user_tests for d in test.get("deny", []) if on_tag(d)}
        # A cluster node's own identity must be tested against the members' devices.
        if not any(test["src"] == tag and test.get("deny") for test in policy.get("tests", [])):
            problems.append(f"no test shows that {tag} is denied to the members' devices")
        if not intended <= accepted:
            problems.append(f"tests do not accept intended ports {sorted(intended - accepted)}")
        if not refused <= denied:
            problems.append(f"tests do not deny refused ports {sorted(refused - denied)}")
        yield example.relative(path), "grants, tagOwners, tests vs intent", not problems, "\n".join(problems)


def check_netns(example):
    result = run([sys.executable, os.path.join(HERE, "netns_matrix.py"), "--tree", example.tree, "--intent", example.intent_path], timeout=600)
    example.matrix = result.stdout
    yield "(all nodes)", "ufw in network namespaces, probe matrix", result.returncode == 0, (result.stdout + result.stderr).strip() if result.returncode else ""


def check_ray(example):
    if not any("ray start" in open(path).read() for path in example.files("*-entrypoint.sh")):
        return
    result = run([sys.executable, os.path.join(HERE, "ray_check.py"), "--tree", example.tree, "--intent", example.intent_path],
                 timeout=1800)
    summary = next((line for line in result.stdout.splitlines() if line.startswith("ray: ")), "")
    yield "(every Ray cluster)", f"real Ray: token auth, ss listeners and probes vs trust ({summary[5:] or 'no summary'})", \
        result.returncode == 0, (result.stdout + result.stderr).strip() if result.returncode else ""


def litellm_launchers(example):
    """{node: artifact} of every node that starts LiteLLM: its litellm.service, or the compose
    file with a service that runs LiteLLM's image (or is named litellm). A node with both is
    listed once; litellm_check.py fails it, since it cannot tell which one the node means."""
    import yaml
    found = {}
    node_of = lambda path: path.split(os.sep + "nodes" + os.sep, 1)[1].split(os.sep)[0]
    for unit in example.files("litellm.service"):
        found.setdefault(node_of(unit), unit)
    for path in example.files("compose.yaml"):
        try:
            services = (yaml.safe_load(open(path)) or {}).get("services") or {}
        except (yaml.YAMLError, AttributeError):
            # Unreadable: litellm_check.py says why, rather than the node going unchecked.
            found.setdefault(node_of(path), path)
            continue
        if any(name == "litellm" or LITELLM_IMAGE.match(str((service or {}).get("image", ""))) for name, service in services.items()):
            found.setdefault(node_of(path), path)
    return found


def check_litellm(example, config_only=False):
    for node, artifact in sorted(litellm_launchers(example).items()):
        if not example.wants(node):
            continue
        result = run([sys.executable, os.path.join(HERE, "litellm_check.py"), "--tree", example.tree, "--node", node,
                      "--intent", example.intent_path] + (["--config-only"] if config_only else [])
                     + (["--fail-fast"] if example.fail_fast else [])
                     + [argument for part in example.litellm_only for argument in ("--only", part)], timeout=1500)
        if config_only:
            yield example.relative(artifact), "LiteLLM's config loader (no proxy): env files, secrets.json, router settings", \
                result.returncode == 0, (result.stdout + result.stderr).strip()
            continue
        also = "".join(text for marker, text in (("\nredis:     ", ", Redis cache"), ("\nnginx:     ", ", through NGINX"))
                       if marker in result.stdout)
        yield example.relative(artifact), f"real LiteLLM proxy: readiness, 200 with key, 401 without, router settings read back, smoke.sh and verify.sh completions (up, and each backend down), a down backend fails alone{also}", \
            result.returncode == 0, (result.stdout + result.stderr).strip()


def check_litellm_config(example):
    """litellm's checks of the files alone, no proxy started (litellm_check.py --config-only):
    what a break case of the config needs; every example's litellm run does these checks too."""
    yield from check_litellm(example, config_only=True)


# nginx -t prints "syntax is ok" and "test is successful" as [notice]s; anything else of
# another level is a finding.
NGINX_FINDING = re.compile(r"\[(warn|error|crit|alert|emerg)\]")


def check_nginx(example):
    """nginx -t on every NGINX service's conf, as the container would load it.

    scripts/certs.sh runs unchanged (its dir= is an absolute node path) in a private mount
    namespace whose /home is a scratch copy of the node's /home from the tree, see
    nginx_run.py: rewriting dir= to a temp dir would test a modified script. It runs twice:
    the first run must make key.pem 0600 and cert.pem 0644, the second must keep the pair."""
    import yaml
    for path in example.files("compose.yaml"):
        node = path.split(os.sep + "nodes" + os.sep, 1)[1].split(os.sep)[0]
        project = "/" + os.path.relpath(os.path.dirname(path), os.path.join(example.tree, "nodes", node))
        for name, service, mounts in nginx_run.nginx_services(yaml.safe_load(open(path)), project):
            scratch = tempfile.mkdtemp(prefix="spark-gen-nginx-")
            try:
                setup = nginx_run.Setup(example.tree, node, path, name, service, mounts, scratch)
                pair = setup.ssl_sources()
                artifact = next((setup.conf_in_tree(source) for source, target in setup.confs if target == nginx_run.DEFAULT_CONF), path)
                # After each run of certs.sh: the pair's modes and the key's digest.
                after = " ".join(shlex.quote(pair[kind]) for kind in sorted(pair))
                hook = f"stat -c 'mode %a %n' {after} && sha256sum {shlex.quote(pair['key'])}" if setup.certs_on_node and len(pair) == 2 else ""
                script = setup.script(["-t"], after_certs=hook, certs_runs=2 if setup.certs_on_node else 0)
                problems = list(setup.problems)
                output = ""
                if not problems:
                    result = run(["unshare", "--mount", "bash", "-c", script], timeout=120)
                    # Less openssl's progress dots, which certs.sh's `openssl req` prints on stderr.
                    output = "\n".join(line for line in (result.stdout + result.stderr).strip().splitlines()
                                       if not re.fullmatch(r"[.+*\-\s]+", line))
                    if result.returncode != 0:
                        problems.append(f"exit {result.returncode}")
                    problems += [line.strip() for line in output.splitlines() if NGINX_FINDING.search(line)]
                    if setup.certs_on_node and len(pair) == 2:
                        problems += certs_findings(output, pair)
                detail = "\n".join(setup.notes + problems + ([output] if output else []))
                made_by = f"{nginx_run.CERTS_SCRIPT}, " if setup.certs_on_node else "the topology's certificate (a stand-in), "
                yield example.relative(artifact), f"{made_by}nginx -t (compose service {name})", not problems, detail
            finally:
                shutil.rmtree(scratch, ignore_errors=True)


def certs_findings(output, pair):
    """What is wrong with the two runs of certs.sh, from their output (see check_nginx)."""
    problems = []
    runs = output.split("--- ")[1:]
    if len(runs) != 2:
        return [f"certs.sh ran {len(runs)} time(s), not 2"]
    modes = dict((path, mode) for mode, path in re.findall(r"^mode (\d+) (\S+)$", runs[0], re.M))
    missing = [pair[kind] for kind in ("cert", "key") if pair[kind] not in modes]
    if missing:
        return [f"certs.sh did not make {', '.join(missing)}, which the service mounts"]
    digests = [re.findall(r"^([0-9a-f]{64})  ", run, re.M) for run in runs]
    if not all(digests) or digests[0] != digests[1]:
        problems.append("the second run of certs.sh did not keep the key it made")
    if "keeping" not in runs[1]:
        problems.append("the second run of certs.sh did not say it keeps the pair")
    for kind, want in (("cert", "644"), ("key", "600")):
        if modes.get(pair[kind]) != want:
            problems.append(f"certs.sh made {pair[kind]} mode {modes.get(pair[kind])}, want {want}")
    return problems


def check_postgres(example):
    for path in example.files("compose.yaml"):
        node = path.split(os.sep + "nodes" + os.sep, 1)[1].split(os.sep)[0]
        if not example.wants(node):
            continue
        result = run([sys.executable, os.path.join(HERE, "postgres_check.py"), "--tree", example.tree, "--node", node], timeout=600)
        # A node without litellm-db has nothing to prove: no row rather than a vacuous "ok".
        if result.returncode == 0 and result.stdout.rstrip().endswith("postgres: 0 passed, 0 failed"):
            continue
        # A node whose LiteLLM runs in compose has no guide database to migrate (postgres_check.py).
        migrated = "and migrated" if " not applicable: " not in result.stdout else "volume (no guide to migrate from)"
        yield example.relative(path), f"real PostgreSQL: litellm-db needs its password, fresh {migrated}", \
            result.returncode == 0, (result.stdout + result.stderr).strip()


def check_hf(example):
    if not example.files("RUNBOOK.md"):
        return
    result = run([sys.executable, os.path.join(HERE, "hf_check.py"), "--tree", example.tree], timeout=1200)
    yield "RUNBOOK.md hf download lines", "real hf CLI, recorded downloads", result.returncode == 0, (result.stdout + result.stderr).strip()


def check_hfcache(example):
    if not example.files("RUNBOOK.md"):
        return
    result = run([sys.executable, os.path.join(HERE, "hf_cache_check.py"), "--tree", example.tree], timeout=1200)
    if result.returncode == 0 and result.stdout.rstrip().endswith("hfcache: no vLLM container"):
        return
    yield "vLLM containers' hub cache", "real huggingface_hub, read-only mount, stand-in Hub: loads offline, control fails", \
        result.returncode == 0, (result.stdout + result.stderr).strip()


def check_swap(example):
    for path in sorted(glob.glob(os.path.join(example.tree, "nodes", "*", "**", "scripts", "swap.sh"), recursive=True)):
        node = path.split(os.sep + "nodes" + os.sep, 1)[1].split(os.sep)[0]
        if not example.wants(node):
            continue
        result = run([sys.executable, os.path.join(HERE, "swap_check.py"), "--tree", example.tree, "--intent", example.intent_path,
                      "--node", node] + (["--fail-fast"] if example.fail_fast else [])
                     + [argument for check in example.swap_only for argument in ("--only", check)], timeout=900)
        yield example.relative(path), "real swap.sh, stand-in docker/ssh/vLLM API: swap, again, dies, restarting, lock, workers down, usage, timeout, gates", \
            result.returncode == 0, (result.stdout + result.stderr).strip()


def check_vllm(example):
    yield from vllm_check.check_tree(example.tree)


def check_handover(example):
    for path in example.files("secrets.json"):
        manifest = json.load(open(path))
        if not any(f["source"]["kind"] == "copied" for f in manifest["files"]) or not example.wants(manifest["node"]):
            continue
        result = run([sys.executable, os.path.join(HERE, "handover_check.py"), "--tree", example.tree, "--node", manifest["node"]],
                     timeout=300)
        yield example.relative(os.path.join(os.path.dirname(path), "RUNBOOK.md")), \
            "real hand-over block, stand-in ssh/sudo: down, empty, value, again, stale", \
            result.returncode == 0, (result.stdout + result.stderr).strip()


def check_offer(example):
    """A key a gateway offers another owner: minted by the real runbook block, limited as LiteLLM checks it."""
    offering = False
    for path in example.files("secrets.json"):
        offering = offering or any(f["source"]["kind"] == "virtual-key" and "models" in f["source"] for f in json.load(open(path))["files"])
    if not offering:
        return
    result = run([sys.executable, os.path.join(HERE, "offer_check.py"), "--tree", example.tree], timeout=900)
    yield "secrets.json (offered keys), RUNBOOK.md, litellm-config.yaml", \
        "real mint block against /key/generate parsed by LiteLLM's GenerateKeyRequest, LiteLLM's can_key_call_model, the receiver's config", \
        result.returncode == 0, (result.stdout + result.stderr).strip()


def check_ansible_all(examples):
    """The static checks of every example's ansible/ in one ansible_check.py run (one
    ansible-lint, one syntax-check for all: each start imports ansible-core); check_ansible
    tells each example its part."""
    trees = [example.tree for example in examples if os.path.isdir(os.path.join(example.tree, "ansible"))]
    if not trees:
        return
    only, _, tag = (examples[0].ansible_only or "").partition(":")
    result = run([sys.executable, os.path.join(HERE, "ansible_check.py"), "--json", *[f"--tree={tree}" for tree in trees]]
                 + (["--only", only] if only else []) + (["--lint-tag", tag] if tag else []), timeout=1800)
    try:
        found = json.loads(result.stdout)
    except ValueError:
        found = {tree: {"ok": False, "detail": (result.stdout + result.stderr).strip()} for tree in trees}
    for example in examples:
        example.ansible = found.get(example.tree)


def check_ansible(example):
    if not os.path.isdir(os.path.join(example.tree, "ansible")):
        return
    if example.ansible is None:
        check_ansible_all([example])
    yield "ansible/site.yml, inventory.yml, drift.sh", "ansible-playbook --syntax-check, ansible-inventory, ansible-lint (default profile), sh -n", \
        example.ansible["ok"], example.ansible["detail"].strip()


def check_apply(example):
    """The real apply, a checker of its own: about 2 minutes a node, and the break cases of the
    static checks (ansible) need not wait for it."""
    if not os.path.isdir(os.path.join(example.tree, "ansible")):
        return
    # By example name, or for a tree checked as it is (--tree, a break case) by the node it has.
    node = ANSIBLE_APPLIED.get(example.name) or next(
        (node for node in ANSIBLE_APPLIED.values() if os.path.isdir(os.path.join(example.tree, "nodes", node))), None)
    if node and example.wants(node):
        result = run([sys.executable, os.path.join(HERE, "ansible_apply.py"), "--tree", example.tree, "--node", node,
                      *(["--only", example.apply_only] if example.apply_only else [])], timeout=1800)
        checks = f"--apply-only {example.apply_only}: that check alone" if example.apply_only else \
            "restarts what changed, again changed=0, drift.sh, weights, verify, a missing secret"
        yield f"ansible/site.yml on {node}", "real apply over ssh (own sshd, mount+net+pid namespaces, stand-ins for systemctl/docker): " \
            + checks, result.returncode == 0, (result.stdout + result.stderr).strip()


# The examples whose playbook is applied for real (about 2 minutes a node), one node each: the
# pair that hands a Ray token over, and the catalog whose nodes hold a typed NGC key.
ANSIBLE_APPLIED = {"split-trust": "spark-01", "spark-control": "spark-1"}


CHECKERS = {
    "shell": check_shell,
    "runbook": check_runbook,
    "systemd": check_systemd,
    "compose": check_compose,
    "yaml": check_yaml,
    "discovery": check_discovery,
    "policy": check_policy,
    "netns": check_netns,
    "litellm": check_litellm,
    "litellm-config": check_litellm_config,
    "nginx": check_nginx,
    "postgres": check_postgres,
    "swap": check_swap,
    "handover": check_handover,
    "offer": check_offer,
    "ray": check_ray,
    "hf": check_hf,
    "hfcache": check_hfcache,
    "vllm": check_vllm,
    "ansible": check_ansible,
    "apply": check_apply,
    "netplan": lambda example: netplan_check.check_netplan(example, run),
}


def ansible_only(value):
    if value != "syntax-check" and not re.fullmatch(r"lint:[a-z][a-z0-9-]*(\[[a-z0-9-]+\])?", value):
        raise argparse.ArgumentTypeError(f"{value!r}: want syntax-check or lint:RULE")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "spark-gen"))
    parser.add_argument("--example", action="extend", nargs="+", help="only these examples (repeatable)")
    parser.add_argument("--only", action="extend", nargs="+", choices=sorted(CHECKERS), help="only these checkers (repeatable)")
    parser.add_argument("--tree", help="check this tree as it is (needs --intent)")
    parser.add_argument("--intent", help="`spark-gen trust --format json` for --tree")
    parser.add_argument("--fail-fast", action="store_true",
                        help="litellm and swap stop after the first part of their checks with a failure (for break cases)")
    parser.add_argument("--node", action="append", default=[],
                        help="the proofs run per node (litellm, postgres, swap, handover, apply) only on this node (repeatable)")
    parser.add_argument("--apply-only", choices=["files", "weights", "calls", "drift", "changes"],
                        help="apply runs only this check, after the part of the first run it needs (a break case of it)")
    parser.add_argument("--ansible-only", type=ansible_only,
                        help="ansible runs only this static check: syntax-check, or lint:RULE (a break case of it)")
    parser.add_argument("--swap-only", action="append", default=[], choices=["gates", "lock", "restarting", "worker"],
                        help="swap runs only this check after its start (a break case of it)")
    parser.add_argument("--litellm-only", action="append", default=[],
                        choices=["proxy", "settings", "keys", "redis", "nginx", "scripts", "routing", "down", "restart"],
                        help="litellm runs only this part of its checks after its starts (a break case of it)")
    arguments = parser.parse_args()
    names = arguments.example or sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(ROOT, "examples", "*", "topology.yaml")))
    if arguments.tree:
        names = [arguments.tree]
    # ray only when asked: it starts Ray (about three minutes a cluster), and RayProofTests
    # already runs it once per example in `swift test`.
    # litellm-config only when asked too: litellm does the same checks and more.
    checkers = arguments.only or [name for name in CHECKERS if name not in ("ray", "litellm-config")]
    scratch = tempfile.mkdtemp(prefix="spark-gen-prove-")
    passed = failed = 0
    try:
        examples = []
        for name in names:
            if arguments.tree:
                example = Example(os.path.basename(name.rstrip("/")), os.path.abspath(arguments.tree), arguments.intent)
            else:
                example = Example.build(name, arguments.binary, scratch)
            example.nodes = set(arguments.node)
            example.fail_fast = arguments.fail_fast
            example.apply_only = arguments.apply_only
            example.ansible_only = arguments.ansible_only
            example.swap_only = arguments.swap_only
            example.litellm_only = arguments.litellm_only
            examples.append(example)
        if "ansible" in checkers:
            check_ansible_all(examples)
        for name, example in zip(names, examples):
            started = time.monotonic()
            rows = []
            for checker in checkers:
                for artifact, tool, ok, detail in CHECKERS[checker](example):
                    rows.append((artifact, tool, "ok" if ok else "FAIL", detail))
            # default=0: an example can have no rows (e.g. --only postgres and no litellm-db).
            width = max((len(row[0]) for row in rows), default=0)
            tool_width = max((len(row[1]) for row in rows), default=0)
            print(f"\n== {name}: {len(rows)} checks in {time.monotonic() - started:.0f} s")
            for artifact, tool, result, detail in rows:
                print(f"  {artifact.ljust(width)}  {tool.ljust(tool_width)}  {result}")
                if result == "FAIL" and detail:
                    print("    " + detail.replace("\n", "\n    "))
            if example.matrix:
                print(example.matrix.rstrip())
            passed += sum(1 for row in rows if row[2] == "ok")
            failed += sum(1 for row in rows if row[2] == "FAIL")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nprove: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
