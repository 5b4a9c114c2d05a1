"""The trust-boundary harness (netns_matrix.py): a network namespace per node, its links,
LANs and tailnet, the generated ufw rules applied with real ufw, listeners where the
generated files put them, and probes from every vantage point.
"""
import ipaddress
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import yaml

import nginx_run
import redis_run
import tailnet_policy
from netns_proof import firewall, ufw_server
from netns_proof.listeners import (NIM_IMAGE, OLLAMA_IMAGE, OLLAMA_IMAGE_HOST, image_defaults, listen_flags,
    nim_listeners, ollama_listen)

# proof/, where nsagent.py and the shared helpers live.
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AGENT = os.path.join(HERE, "nsagent.py")  # standard library only: started with -S (no site, a quarter of the start)
TAILNET_PREFIX = "100.64"
# Tailscale's address range: each tailnet switch is one on-link /10, so a declared address
# (100.100.10.20, say) and the harness's own 100.64.x.y reach each other like tailnet peers.
TAILNET_RANGE = ipaddress.ip_network("100.64.0.0/10")
# Namespaces probed at once. A probe of a port the firewall drops waits out nsagent's 2 s
# time-out; one namespace after the other, a world's probes came to 11 s (observe) and 13 s
# (tag_paths) of a LAN lab's 37 s. Each probe is one Python (-S) in its namespace, its targets
# in threads of their own, so this bounds Python starts at once, not connections.
PROBES_AT_ONCE = 16


def run(*command, check=True, timeout=60):
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result


def in_ns(namespace, *command, check=True, timeout=60):
    # `ip -n NS …` is `ip netns exec NS ip …` (ip(8): "it just simplifies executing of" it) in one
    # program instead of two: building a world runs about a hundred of them.
    if command[0] == "ip":
        return run("ip", "-n", namespace, *command[1:], check=check, timeout=timeout)
    return run("ip", "netns", "exec", namespace, *command, check=check, timeout=timeout)


class Harness:
    def __init__(self, tree, intent):
        self.tree = tree
        self.intent = intent
        self.prefix = f"sg{random.randrange(16 ** 4):04x}"
        self.namespaces = []
        self.processes = []
        self.firewalls = {}  # node -> "ufw" (firewall.sh run by ufw here) or "restored" (firewall.py)
        self.scratch = tempfile.mkdtemp(prefix="spark-gen-netns-")
        self.nodes = {node["name"]: node for node in intent["nodes"]}
        self.node_index = {name: index for index, name in enumerate(self.nodes)}
        self.tailnets = sorted({node["tailnet"] for node in intent["nodes"]})
        # Machines spark-gen does not deploy to (a spark-control panel): older intents have none.
        self.hosts = {host["name"]: host for host in intent.get("hosts", [])}
        self.host_index = {name: index for index, name in enumerate(self.hosts)}

    # --- namespaces and links -------------------------------------------------------

    def namespace(self, role):
        name = f"{self.prefix}-{role}"
        run("ip", "netns", "add", name)
        self.namespaces.append(name)
        in_ns(name, "ip", "link", "set", "lo", "up")
        return name

    def node_ns(self, name):
        return f"{self.prefix}-n{self.node_index[name]}"

    def switch(self, role):
        namespace = self.namespace(role)
        in_ns(namespace, "ip", "link", "add", "br0", "type", "bridge")
        in_ns(namespace, "ip", "link", "set", "br0", "up")
        return namespace

    def attach(self, switch, port_name, namespace, interface, address):
        """A veth from `namespace` (named `interface`, with `address`) into the switch's bridge."""
        temporary = f"{self.prefix}{port_name}"[:15]
        run("ip", "link", "add", temporary, "type", "veth", "peer", "name", f"{temporary}p"[:15])
        run("ip", "link", "set", temporary, "netns", namespace)
        run("ip", "link", "set", f"{temporary}p"[:15], "netns", switch)
        in_ns(namespace, "ip", "link", "set", temporary, "name", interface)
        in_ns(namespace, "ip", "addr", "add", address, "dev", interface)
        in_ns(namespace, "ip", "link", "set", interface, "up")
        in_ns(switch, "ip", "link", "set", f"{temporary}p"[:15], "master", "br0")
        in_ns(switch, "ip", "link", "set", f"{temporary}p"[:15], "up")

    def tailnet_ip(self, tailnet, node=None):
        """A node's tailnet address, or (node=None) the address of the tailnet's user device.
        A node that declares its tailnet address (tailnet_ip: a model listens on it) has that
        one, as on the real tailnet; the others get one of the harness's choosing."""
        if node is not None and self.nodes[node].get("tailnet_ip"):
            return self.nodes[node]["tailnet_ip"]
        network = self.tailnets.index(tailnet)
        host = 250 if node is None else 10 + self.node_index[node]
        return f"{TAILNET_PREFIX}.{network}.{host}"

    def check_tailnet_addresses(self):
        """Declared and chosen tailnet addresses are all distinct and in Tailscale's 100.64.0.0/10."""
        seen = {}
        for tailnet in self.tailnets:
            members = [None] + [name for name, node in self.nodes.items() if node["tailnet"] == tailnet]
            for member in members:
                address = self.tailnet_ip(tailnet, member)
                if ipaddress.ip_address(address) not in TAILNET_RANGE:
                    raise RuntimeError(f"node {member}: tailnet address {address} is not in {TAILNET_RANGE}")
                if address in seen:
                    raise RuntimeError(f"tailnet address {address} of {member or 'the user device'} is also {seen[address]}'s")
                seen[address] = member or f"the user device of {tailnet}"

    def build_networks(self):
        links = {link["name"]: link for link in self.intent["links"]}
        switches = {name: self.switch(f"l{index}") for index, name in enumerate(links)}
        link_index = {name: index for index, name in enumerate(links)}
        for name, node in self.nodes.items():
            index = self.node_index[name]
            namespace = self.namespace(f"n{index}")
            for interface in node["interfaces"]:
                link = interface["link"]
                prefix = ipaddress.ip_network(links[link]["subnet"]).prefixlen
                device = interface["device"] or f"lan{link_index[link]}"
                self.attach(switches[link], f"l{link_index[link]}n{index}", namespace, device, f"{interface['ip']}/{prefix}")
        for link in links.values():
            if link["kind"] != "lan":
                continue
            prefix = ipaddress.ip_network(link["subnet"]).prefixlen
            lan = self.namespace(f"lan{link_index[link['name']]}")
            self.attach(switches[link["name"]], f"l{link_index[link['name']]}x", lan, "eth0", f"{link['neighbour']}/{prefix}")
            # The neighbour routes each node's other addresses via that node's address on the LAN.
            for node in self.nodes.values():
                own = self.address(node, link["name"])
                if own is None:
                    continue
                for interface in node["interfaces"]:
                    if interface["link"] != link["name"]:
                        in_ns(lan, "ip", "route", "replace", f"{interface['ip']}/32", "via", own)
        self.build_hosts(links, switches, link_index)
        # Each node routes the addresses a peer on a shared cluster link has on links the node is
        # not on via the peer's address on the shared link, as a node could to reach past it.
        for name, node in self.nodes.items():
            mine = {interface["link"] for interface in node["interfaces"]}
            for other_name, other in self.nodes.items():
                if other_name == name:
                    continue
                for shared in node["interfaces"]:
                    link = shared["link"]
                    gateway = self.address(other, link)
                    if links[link]["kind"] == "lan" or gateway is None:
                        continue
                    for interface in other["interfaces"]:
                        if interface["link"] not in mine:
                            in_ns(self.node_ns(name), "ip", "route", "replace", f"{interface['ip']}/32", "via", gateway)
        self.check_tailnet_addresses()
        prefix = TAILNET_RANGE.prefixlen
        for network, tailnet in enumerate(self.tailnets):
            switch = self.switch(f"ts{network}")
            device = self.namespace(f"t{network}")
            self.attach(switch, f"tu{network}", device, "tailscale0", f"{self.tailnet_ip(tailnet)}/{prefix}")
            for name, node in self.nodes.items():
                if node["tailnet"] == tailnet:
                    index = self.node_index[name]
                    self.attach(switch, f"t{network}n{index}", self.node_ns(name), "tailscale0", f"{self.tailnet_ip(tailnet, name)}/{prefix}")

    def host_ns(self, name):
        return f"{self.prefix}-h{self.host_index[name]}"

    def build_hosts(self, links, switches, link_index):
        """A namespace per host, on the switch of each of its links with its own address there.
        Like a LAN's neighbour, it routes each node's addresses on links the host is not on via
        the node's address on a link they share. A LAN's neighbour that had a host's address
        would be admitted as that host: the intent must never say so."""
        neighbours = {link["neighbour"] for link in links.values() if link["kind"] == "lan"}
        for name, host in self.hosts.items():
            # A host on no LAN of the topology (a backend's server, reached over the tailnet
            # only) has no place in the wiring; no vantage of the intent is on it.
            if not host["interfaces"]:
                continue
            index = self.host_index[name]
            namespace = self.namespace(f"h{index}")
            for number, interface in enumerate(host["interfaces"]):
                link = interface["link"]
                if link not in links:
                    raise RuntimeError(f"host {name}: link {link!r} is not a link of the topology")
                if interface["ip"] in neighbours:
                    raise RuntimeError(f"host {name}: {interface['ip']} is also a LAN's anonymous neighbour")
                prefix = ipaddress.ip_network(links[link]["subnet"]).prefixlen
                self.attach(switches[link], f"l{link_index[link]}h{index}", namespace, f"eth{number}", f"{interface['ip']}/{prefix}")
            mine = {interface["link"] for interface in host["interfaces"]}
            for node in self.nodes.values():
                gateway = next((self.address(node, link) for link in sorted(mine) if self.address(node, link)), None)
                if gateway is None:
                    continue
                for interface in node["interfaces"]:
                    if interface["link"] not in mine:
                        in_ns(namespace, "ip", "route", "replace", f"{interface['ip']}/32", "via", gateway)

    @staticmethod
    def address(node, link):
        return next((interface["ip"] for interface in node["interfaces"] if interface["link"] == link), None)

    # --- the generated artifacts ----------------------------------------------------

    def artifact(self, node, path):
        full = os.path.join(self.tree, "nodes", node, path.lstrip("/"))
        return full if os.path.exists(full) else None

    def stack_artifact(self, node, relative):
        return self.artifact(node, self.nodes[node]["stack_dir"] + "/" + relative)

    def listeners(self, node):
        """(bind, port) of every listener the node's artifacts configure, and Docker-published ports.

        Each program is read the way it reads its own settings (see listen_flags(),
        ollama_listen(), redis_run.listen() and nginx_run.service_listeners(): an NGINX service
        listens where the confs it mounts into conf.d say, and on the image's port 80 unless
        one replaces default.conf). A host-network compose service listens on the node itself; a
        service in a network of its own is reached only through its published ports. A
        service with profiles (e.g. `profiles: [manual]`, a model the RUNBOOK starts by
        hand) is not started by `docker compose up -d`, but it is modeled as listening: it
        runs whenever the operator switches to it, and the trust boundary must hold then too
        (the intent expects it reachable locally, which only a listener shows)."""
        # sshd, which every node runs with its default ListenAddress (every address); spark-gen
        # does not deploy it but decides who reaches it.
        listeners, published = [("0.0.0.0", 22)], []
        unit = self.artifact(node, "/etc/systemd/system/litellm.service")
        if unit:
            exec_start = next(line for line in open(unit) if line.startswith("ExecStart="))
            listeners.append(listen_flags("litellm.service", "berriai/litellm", shlex.split(exec_start[len("ExecStart="):])[1:], {}))
        compose_path = self.stack_artifact(node, "compose.yaml")
        if compose_path:
            compose = yaml.safe_load(open(compose_path))
            for name, service in compose.get("services", {}).items():
                environment = service.get("environment", {})
                if isinstance(environment, list):
                    environment = dict(item.split("=", 1) for item in environment)
                environment = {key: str(value) for key, value in (environment or {}).items() if value is not None}
                image = str(service.get("image", ""))
                bind, port = None, None
                for host_key, port_key in (("HOST", "PORT"), ("N8N_LISTEN_ADDRESS", "N8N_PORT"), ("HERMES_WEBUI_HOST", "HERMES_WEBUI_PORT")):
                    if port_key in environment:
                        bind, port = environment.get(host_key, "0.0.0.0"), int(environment[port_key])
                command = service.get("command") or []
                command = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
                for word in command:
                    if word.startswith("listen_addresses="):
                        bind = word.split("=", 1)[1].replace("*", "0.0.0.0")
                    if word.startswith("port="):
                        port = int(word.split("=", 1)[1])
                # Ollama reads OLLAMA_HOST; its image sets OLLAMA_HOST=0.0.0.0:11434.
                if "OLLAMA_HOST" in environment or OLLAMA_IMAGE.match(image):
                    bind, port = ollama_listen(environment.get("OLLAMA_HOST", OLLAMA_IMAGE_HOST))
                # llama.cpp's llama-server, `vllm serve`, LiteLLM: --host/--port, or the image's default.
                if any(word in ("--host", "--port") or word.startswith(("--host=", "--port=")) for word in command) \
                        or image_defaults(image):
                    bind, port = listen_flags(f"compose service {name}", image, command, environment)
                # Programs that may listen on several addresses.
                several = None
                if redis_run.is_redis(service):
                    try:
                        several = redis_run.listen(f"compose service {name}", service)
                    except ValueError as error:
                        raise RuntimeError(str(error))
                # NVIDIA NIM: every address, on NIM_HTTP_API_PORT and NIM_GRPC_API_PORT.
                if NIM_IMAGE.match(image):
                    several = nim_listeners(environment)
                # NGINX: the `listen`s of the confs it mounts into conf.d (see nginx_run.py).
                mounts = nginx_run.bind_mounts(service, self.nodes[node]["stack_dir"])
                if nginx_run.NGINX_IMAGE.match(image) or any(target == nginx_run.DEFAULT_CONF for _, target, _ in mounts):
                    try:
                        several = nginx_run.service_listeners(self.tree, node, mounts)
                    except ValueError as error:
                        raise RuntimeError(f"compose service {name}: {error}")
                for mapping in service.get("ports", []):
                    parts = str(mapping).split(":")
                    host_ip = parts[0] if len(parts) == 3 else "0.0.0.0"
                    published.append((host_ip, int(parts[-2]), int(parts[-1].split("/")[0])))
                if service.get("network_mode") == "host" and several is not None:
                    listeners += several
                elif service.get("network_mode") == "host" and port is not None:
                    listeners.append((bind, port))
        scripts_dir = self.stack_artifact(node, "scripts")
        entrypoints = []
        if scripts_dir:
            for name in sorted(os.listdir(scripts_dir)):
                if not name.endswith("-entrypoint.sh"):
                    continue
                text = open(os.path.join(scripts_dir, name)).read()
                # Ray's pinned listeners on every member, head and workers, where Ray 2.54.1 binds
                # them (proof/ray_check.py starts the real Ray and reads ss): the raylet's node and
                # object managers on every address, the runtime-env agent on --node-ip-address.
                node_ip = re.search(r"--node-ip-address=(\S+)", text)
                for flag, everywhere in (("--node-manager-port", True), ("--object-manager-port", True),
                                         ("--runtime-env-agent-port", False)):
                    pinned = re.search(flag + r"=(\d+)", text)
                    if pinned and node_ip:
                        listener = ("0.0.0.0" if everywhere else node_ip.group(1).strip("'"), int(pinned.group(1)))
                        if listener not in entrypoints:
                            entrypoints.append(listener)
                if "head" not in name:
                    continue
                # A catalog's models (vllm-head-<model>-entrypoint.sh) take turns on one socket, and
                # its multi-node models on Ray's: each socket is one listener, however many say it.
                found = []
                serve = re.search(r"--host (\S+) \\\n\s+--port (\d+)", text)
                if serve:
                    found.append((serve.group(1).strip("'"), int(serve.group(2))))
                # Ray's GCS listens on every address whatever --node-ip-address says (seen in Ray
                # 2.54 and 2.60; ray-project/ray #59852 would have changed it and was reverted).
                ray = re.search(r"--node-ip-address=(\S+) \\\n\s+--port=(\d+)", text)
                if ray:
                    found.append(("0.0.0.0", int(ray.group(2))))
                dashboard = re.search(r"--dashboard-host=(\S+) \\\n\s+--dashboard-port=(\d+)", text)
                if dashboard:
                    found.append((dashboard.group(1), int(dashboard.group(2))))
                elif "--include-dashboard=false" not in text and re.search(r"ray start --head", text):
                    found.append(("127.0.0.1", 8265))  # Ray's default dashboard
                entrypoints += [listener for listener in found if listener not in entrypoints]
        return listeners + entrypoints, published

    def ray_launches(self, node):
        """The scripts that start the node's Ray containers: each `docker run`s an entrypoint
        (scripts/vllm-*-entrypoint.sh) that runs `ray start`. Returns [(script, on host network)]."""
        scripts_dir = self.stack_artifact(node, "scripts")
        launches = []
        for name in sorted(os.listdir(scripts_dir)) if scripts_dir else []:
            if not name.endswith(".sh") or name.endswith("-entrypoint.sh"):
                continue
            text = open(os.path.join(scripts_dir, name)).read()
            if "docker run" not in text:
                continue
            mounted = re.findall(r"scripts/([\w.-]+-entrypoint\.sh):", text)
            if not any("ray start" in open(os.path.join(scripts_dir, entry)).read()
                       for entry in mounted if os.path.exists(os.path.join(scripts_dir, entry))):
                continue
            # The `docker run` command, its continuation lines joined: the flags before the image.
            words = shlex.split(text.split("docker run", 1)[1].replace("\\\n", " ").split("\n", 1)[0])
            host = any(word in ("--network=host", "--net=host") or (word in ("--network", "--net") and index + 1 < len(words)
                       and words[index + 1] == "host") for index, word in enumerate(words))
            launches.append((name, host))
        return launches

    def ray_code_ns(self, node):
        """Where a Ray peer's task on `node` runs: the node's namespace when every Ray container of
        the node shares the host's network, else a namespace of the container's own (loopback only)."""
        launches = self.ray_launches(node)
        if not launches:
            raise RuntimeError(f"vantage 'ray-peer' on {node}: no script of the node starts a Ray container")
        if all(host for _, host in launches):
            return self.node_ns(node)
        role = f"r{self.node_index[node]}"
        name = f"{self.prefix}-{role}"
        if name not in self.namespaces:
            self.namespace(role)
        return name

    def serve_forwards(self, node):
        """`tailscale serve --bg --tcp PORT tcp://HOST:PORT` lines of the node's tailscale-up.sh."""
        path = self.stack_artifact(node, "scripts/tailscale-up.sh")
        if not path:
            return []
        return [(int(m.group(1)), m.group(2), int(m.group(3)))
                for m in re.finditer(r"^tailscale serve --bg --tcp (\d+) tcp://([\d.]+):(\d+)$", open(path).read(), re.M)]

    def policy(self, tailnet):
        return tailnet_policy.load(os.path.join(self.tree, "tailnets", tailnet, "policy.hujson"))

    def node_tag(self, node):
        """The tag a node advertises: the intent's, or (older intents) the tag the policy's
        first test probes the user against."""
        tag = self.nodes[node].get("tag")
        if tag:
            return tag
        test = self.policy(self.nodes[node]["tailnet"])["tests"][0]
        return (test.get("accept", []) + test.get("deny", []))[0].rsplit(":", 1)[0]

    def node_tags(self, node):
        """Every tag a node advertises (a node that serves ports its tailnet's other nodes do not
        carries its own tag too); older intents name one."""
        return self.nodes[node].get("tags") or [self.node_tag(node)]

    @staticmethod
    def granted_any(policy, sources, destinations):
        """Ports the grants give any of `sources` on any of `destinations`; None means every port."""
        ports = set()
        for source in sources:
            for destination in destinations:
                granted = tailnet_policy.granted_ports(policy, source, destination)
                if granted is None:
                    return None
                ports |= granted
        return ports

    def granted_ports(self, tailnet, node):
        """Ports the tailnet's policy grants its (first test) user on the node's tags."""
        policy = self.policy(tailnet)
        return self.granted_any(policy, [policy["tests"][0]["src"]], self.node_tags(node))

    def peer_grants(self, node):
        """[(source address, granted ports or None)] of every source on the node's tailnet
        switch: the user device (as the policy's first test user) and each other node of the
        tailnet (as its tag)."""
        tailnet = self.nodes[node]["tailnet"]
        policy = self.policy(tailnet)
        sources = [(self.tailnet_ip(tailnet), self.granted_ports(tailnet, node))]
        for other in self.nodes:
            if other != node and self.nodes[other]["tailnet"] == tailnet:
                sources.append((self.tailnet_ip(tailnet, other),
                                self.granted_any(policy, self.node_tags(other), self.node_tags(node))))
        return sources

    # --- applying the node configuration --------------------------------------------

    def apply_firewall(self, node):
        path = self.stack_artifact(node, "scripts/firewall.sh")
        state = os.path.join(self.scratch, f"ufw-{self.node_index[node]}")
        os.makedirs(state)
        run("cp", "-a", "/etc/ufw", os.path.join(state, "etc-ufw"))
        run("cp", "-a", "/etc/default/ufw", os.path.join(state, "default-ufw"))
        open(os.path.join(state, "ufw.lock"), "w").close()
        # A private mount namespace with private copies of ufw's state: the host's firewall and
        # its /etc/ufw are never touched. And a private /run/ufw.lock: every ufw command takes
        # that lock (ufw/util.py create_lock, a blocking lockf), so proofs side by side, each in
        # its own network namespace, would otherwise wait on one another's ufw (and on every
        # other ufw of the machine) one command at a time. The lock file is created on the host
        # as ufw itself would, if missing, so there is something to bind over.
        script = (
            "mount --make-rprivate / && "
            f"mount --bind {shlex.quote(state)}/etc-ufw /etc/ufw && "
            f"mount --bind {shlex.quote(state)}/default-ufw /etc/default/ufw && "
            "{ [ -e /run/ufw.lock ] || : > /run/ufw.lock; } && "
            f"mount --bind {shlex.quote(state)}/ufw.lock /run/ufw.lock && "
            f"{self.ufw_server(state)}bash {shlex.quote(path)}"
        )
        # About 25 ufw commands, each a Python start: seconds on a quiet machine, more than a
        # minute on a busy one. Once per distinct script and world in a test run (firewall.py).
        namespace = self.node_ns(node)
        self.firewalls[node] = firewall.apply(in_ns, namespace, path, self.scratch,
                                              lambda: in_ns(namespace, "unshare", "--mount", "bash", "-c", script, timeout=300))
        return self.firewalls[node]

    def ufw_server(self, state):
        """The start of the script that runs ufw's commands in one Python (ufw_server.py): its
        server started in firewall.sh's namespaces, its client first on firewall.sh's PATH.
        SPARK_UFW_PLAIN=1 leaves every ufw command a program of its own."""
        if os.environ.get("SPARK_UFW_PLAIN") == "1":
            return ""
        directory = os.path.join(state, "ufw-server")
        os.makedirs(os.path.join(directory, "bin"))
        for fifo in ("requests", "replies"):
            os.mkfifo(os.path.join(directory, fifo))
        client = os.path.join(directory, "bin", "ufw")
        with open(client, "w") as file:
            file.write(ufw_server.CLIENT)
        os.chmod(client, 0o755)
        command = " ".join(shlex.quote(word) for word in ufw_server.interpreter() + [ufw_server.__file__, directory])
        return (f"{{ {command} & }} && export SPARK_UFW_SERVER_PID=$! SPARK_UFW_SERVER_DIR={shlex.quote(directory)} && "
                f"trap 'kill $SPARK_UFW_SERVER_PID; wait $SPARK_UFW_SERVER_PID' EXIT && PATH={shlex.quote(os.path.dirname(client))}:$PATH ")

    def emulate_tailscaled(self, node):
        """The tailnet policy filters first (mangle PREROUTING), then tailscaled's ACCEPT precedes ufw."""
        namespace = self.node_ns(node)
        # Stateful, as tailscaled's filter is: replies to this node's own connections pass (a
        # node that calls a peer's model gets its answers). mangle PREROUTING runs after conntrack
        # and before Docker's DNAT (nat PREROUTING) and ufw (filter INPUT).
        mangle = ("iptables", "-t", "mangle", "-A", "PREROUTING", "-i", "tailscale0")
        in_ns(namespace, *mangle, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT")
        # Per source, new connections as the policy says: the user device by the user's grants,
        # each other node of the tailnet by its tag's (the grants from its tag to this node's).
        for source, granted in self.peer_grants(node):
            if granted is not None:
                allowed = ",".join(str(port) for port in sorted(granted)) or "0"
                in_ns(namespace, *mangle, "-s", source, "-p", "tcp", "-m", "multiport", "!", "--dports", allowed, "-j", "DROP")
            in_ns(namespace, *mangle, "-s", source, "-j", "ACCEPT")
        # A source the policy does not know (no device of this tailnet) gets nothing.
        in_ns(namespace, *mangle, "-p", "tcp", "-j", "DROP")
        in_ns(namespace, "iptables", "-I", "INPUT", "1", "-i", "tailscale0", "-j", "ACCEPT")
        in_ns(namespace, "iptables", "-I", "FORWARD", "1", "-i", "tailscale0", "-j", "ACCEPT")

    def emulate_docker(self, node, published):
        """Published ports: DNAT in PREROUTING to a container, accepted in FORWARD ahead of ufw."""
        namespace = self.node_ns(node)
        in_ns(namespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        in_ns(namespace, "ip", "link", "add", "docker0", "type", "bridge")
        in_ns(namespace, "ip", "addr", "add", "172.17.0.1/16", "dev", "docker0")
        in_ns(namespace, "ip", "link", "set", "docker0", "up")
        for number, (host_ip, host_port, container_port) in enumerate(published):
            container = self.namespace(f"c{self.node_index[node]}{number}")
            address = f"172.17.0.{2 + number}"
            veth = f"{self.prefix}v{number}"
            run("ip", "link", "add", veth, "type", "veth", "peer", "name", f"{veth}p")
            run("ip", "link", "set", veth, "netns", container)
            run("ip", "link", "set", f"{veth}p", "netns", namespace)
            in_ns(container, "ip", "addr", "add", f"{address}/16", "dev", veth)
            in_ns(container, "ip", "link", "set", veth, "up")
            in_ns(container, "ip", "route", "add", "default", "via", "172.17.0.1")
            in_ns(namespace, "ip", "link", "set", f"{veth}p", "master", "docker0")
            in_ns(namespace, "ip", "link", "set", f"{veth}p", "up")
            match = [] if host_ip == "0.0.0.0" else ["-d", host_ip]
            in_ns(namespace, "iptables", "-t", "nat", "-A", "PREROUTING", *match, "-p", "tcp", "--dport", str(host_port),
                  "-j", "DNAT", "--to-destination", f"{address}:{container_port}")
            in_ns(namespace, "iptables", "-I", "FORWARD", "1", "-d", address, "-p", "tcp", "--dport", str(container_port), "-j", "ACCEPT")
            in_ns(namespace, "iptables", "-I", "FORWARD", "1", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT")
            self.start_agent(container, [{"bind": "0.0.0.0", "port": container_port}])

    def start_agent(self, namespace, spec):
        process = subprocess.Popen(["ip", "netns", "exec", namespace, sys.executable, "-S", AGENT, "listen", json.dumps(spec)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.processes.append(process)
        line = process.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"listener in {namespace} did not start: {process.stderr.read()}")

    def configure_node(self, node):
        listeners, published = self.listeners(node)
        self.apply_firewall(node)
        self.emulate_tailscaled(node)
        if published:
            self.emulate_docker(node, published)
        spec = [{"bind": bind, "port": port} for bind, port in listeners]
        tailnet_ip = self.tailnet_ip(self.nodes[node]["tailnet"], node)
        spec += [{"bind": tailnet_ip, "port": port, "forward_to": [host, target]} for port, host, target in self.serve_forwards(node)]
        self.start_agent(self.node_ns(node), spec)
        return listeners

    # --- probing --------------------------------------------------------------------

    def probe(self, namespace, targets):
        result = in_ns(namespace, sys.executable, "-S", AGENT, "probe", json.dumps(targets))
        return json.loads(result.stdout)

    def observe(self, listeners_by_node):
        """Probe every intended (node, port, vantage) cell; return {(node, port, vantage): bool}."""
        cells = [(c["node"], c["port"], c["vantage"], c["bind"]) for c in self.intent["reachability"]]
        plans = {}  # vantage namespace -> list of (cell key, [targets…])
        for node, port, vantage, bind in cells:
            info = self.nodes[node]
            key = (node, port, vantage)
            if vantage == "local":
                local = {b for b, p in listeners_by_node[node] if p == port}
                address = "127.0.0.1" if (not local or "0.0.0.0" in local) else sorted(local)[0]
                plans.setdefault(self.node_ns(node), []).append((key, [(address, port)]))
            elif vantage == "ray-peer":
                # A task another Ray member schedules here runs in this node's Ray container: on
                # the node's own stack with --network host (loopback included), or in a namespace
                # of the container's own, whose loopback is not the node's. The launch scripts say which.
                local = {b for b, p in listeners_by_node[node] if p == port}
                address = "127.0.0.1" if (not local or "0.0.0.0" in local) else sorted(local)[0]
                plans.setdefault(self.ray_code_ns(node), []).append((key, [(address, port)]))
            elif vantage == "own-tailnet":
                device = f"{self.prefix}-t{self.tailnets.index(info['tailnet'])}"
                plans.setdefault(device, []).append((key, [(self.tailnet_ip(info["tailnet"], node), port)]))
            elif vantage == "own-tag":
                # Another node of the tailnet, from its own namespace over the tailnet switch: the
                # filter admits it by its tag (every node of a tailnet carries the same one).
                other = next(n for n in self.nodes if n != node and self.nodes[n]["tailnet"] == info["tailnet"])
                plans.setdefault(self.node_ns(other), []).append((key, [(self.tailnet_ip(info["tailnet"], node), port)]))
            elif vantage.startswith("tailnet:"):
                other = vantage.split(":", 1)[1]
                device = f"{self.prefix}-t{self.tailnets.index(other)}"
                plans.setdefault(device, []).append((key, [(self.tailnet_ip(info["tailnet"], node), port)]))
            elif vantage.startswith("link:"):
                _, link, peer = vantage.split(":", 2)
                # The link address, and the node's addresses on links the peer is not on (routed via the link).
                theirs = {interface["link"] for interface in self.nodes[peer]["interfaces"]}
                targets = [(self.address(info, link), port)] + [
                    (interface["ip"], port) for interface in info["interfaces"] if interface["link"] not in theirs]
                plans.setdefault(self.node_ns(peer), []).append((key, targets))
            elif vantage.startswith("lan:"):
                link = vantage.split(":", 1)[1]
                lan = f"{self.prefix}-lan{[l['name'] for l in self.intent['links']].index(link)}"
                plans.setdefault(lan, []).append((key, [(interface["ip"], port) for interface in info["interfaces"]]))
            elif vantage.startswith("host:"):
                _, link, host = vantage.split(":", 2)
                if host not in self.hosts:
                    raise RuntimeError(f"vantage {vantage!r}: no host {host!r} in the intent's hosts")
                # The node's address on the host's link, and its addresses on links the host is not on.
                theirs = {interface["link"] for interface in self.hosts[host]["interfaces"]}
                targets = [(interface["ip"], port) for interface in info["interfaces"]
                           if interface["link"] == link or interface["link"] not in theirs]
                plans.setdefault(self.host_ns(host), []).append((key, targets))
            else:
                raise RuntimeError(f"unknown vantage {vantage!r}")
        answers = self.probe_all({namespace: [target for _, group in entries for target in group]
                                  for namespace, entries in plans.items()})
        observed = {}
        for namespace, entries in plans.items():
            results = iter(answers[namespace])
            for key, group in entries:
                observed[key] = any([next(results) for _ in group])
        return observed

    def probe_all(self, targets_by_namespace):
        """{namespace: [bool per target]}: every namespace's probe at once (PROBES_AT_ONCE), each
        the same probe as before; nothing a probe does changes what another sees (the listeners
        accept and close, the rules are fixed by now)."""
        with ThreadPoolExecutor(max_workers=PROBES_AT_ONCE) as pool:
            futures = {namespace: pool.submit(self.probe, namespace, targets)
                       for namespace, targets in targets_by_namespace.items()}
            return {namespace: future.result() for namespace, future in futures.items()}

    def tag_paths(self):
        """Node-to-node paths over the tailnet, as each node's tag, beyond the intent's own-tag
        cells (which probe from one other node): what the gateways need, from the node that calls.

        - every api_base of a node's litellm-config.yaml at another node's tailnet address is
          reached from the calling node's namespace through the tailnet switch (the calling
          node's tag must be granted the port, and the listener must be on that address);
        - ssh (every node's sshd listens on every address) from one node to another over the
          tailnet goes through only if the policy grants the caller's tag port 22 there, so the
          filter is seen to tell a node's tag from the tailnet's users.
        Returns [(description, ok)]."""
        by_address = {self.tailnet_ip(info["tailnet"], name): name for name, info in self.nodes.items()}
        checks = []  # (description, namespace, (address, port), expected)
        for name, info in self.nodes.items():
            config = self.stack_artifact(name, "litellm-config.yaml")
            if not config:
                continue
            for entry in (yaml.safe_load(open(config)) or {}).get("model_list") or []:
                api_base = str((entry.get("litellm_params") or {}).get("api_base", ""))
                match = re.match(r"^https?://([^/:]+):(\d+)", api_base)
                if not match or by_address.get(match.group(1)) in (None, name):
                    continue
                callee = by_address[match.group(1)]
                if self.nodes[callee]["tailnet"] != info["tailnet"]:
                    continue
                checks.append((f"{name} ({self.node_tag(name)}) reaches {entry.get('model_name')} at "
                               f"{match.group(1)}:{match.group(2)} on {callee} over the tailnet, as its LiteLLM routes",
                               self.node_ns(name), (match.group(1), int(match.group(2))), True))
        for name, info in self.nodes.items():
            for other, other_info in self.nodes.items():
                if other == name or other_info["tailnet"] != info["tailnet"]:
                    continue
                granted = self.granted_any(self.policy(info["tailnet"]), self.node_tags(name), self.node_tags(other))
                expected = granted is None or 22 in granted
                checks.append((f"{name} ({self.node_tag(name)}) {'reaches' if expected else 'is refused'} ssh on {other} "
                               f"over the tailnet (the policy {'grants' if expected else 'does not grant'} its tag 22)",
                               self.node_ns(name), (self.tailnet_ip(other_info["tailnet"], other), 22), expected))
        # One probe a calling namespace, every namespace at once (probe_all).
        by_namespace = {}
        for _, namespace, target, _ in checks:
            by_namespace.setdefault(namespace, []).append(list(target))
        answers = {namespace: iter(found) for namespace, found in self.probe_all(by_namespace).items()}
        results = []
        for description, namespace, target, expected in checks:
            actual = next(answers[namespace])
            results.append((description + ("" if actual == expected else f": observed {'yes' if actual else 'refused'}"),
                            actual == expected))
        return results

    def cleanup(self):
        for process in self.processes:
            process.kill()
            process.wait(timeout=10)
        for namespace in reversed(self.namespaces):
            run("ip", "netns", "del", namespace, check=False)
        run("rm", "-rf", self.scratch, check=False)
