"""NGINX as a generated compose service runs it, without Docker: shared by prove.py's nginx
checker (`nginx -t`) and litellm_check.py (NGINX in front of the real LiteLLM).

Standard library only: litellm_check.py runs with the system python3. Compose files are
passed in already parsed.

The official image (nginx:…) runs `nginx -g 'daemon off;'` with an /etc/nginx/nginx.conf
whose http block ends in `include /etc/nginx/conf.d/*.conf;`; a compose service replaces
the image's conf.d/default.conf (a server on port 80) by bind-mounting a file over it, and
mounts the TLS pair the server block names. Here that is rebuilt in a private mount
namespace (`unshare --mount`, so nothing of it is seen outside, and all of it goes when
the namespace's last process exits):

  /home        a scratch copy of the node's /home from the tree, bind-mounted there (the
               same as a tmpfs over /home filled with the copy, and it works for a tree
               that lies under /home itself), so every node path of the stack (compose's
               bind-mount sources, scripts/certs.sh and the `dir=` it writes to) is the
               path the node has: scripts/certs.sh runs unchanged, as the RUNBOOK runs it,
               instead of a copy with `dir=` rewritten to a temp dir (a rewritten script
               would prove the rewrite, not the script); what it writes goes to the scratch
               copy, which the caller removes;
  /etc/nginx   a tmpfs with NGINX_CONF (the image's nginx.conf, less its `user nginx;`,
               which names an account Debian's package does not have, and with its
               logs, pid and temp paths made private and writable) and Debian's
               mime.types, then each bind mount of the service at its container path,
               read-only when compose says `:ro`.

Then Debian's nginx binary (1.22 on bookworm; the image is 1.27) runs with `-e stderr -c
/etc/nginx/nginx.conf`. A directive newer than 1.22 would fail here though the image
accepts it: a false failure, never a false pass.

When the topology names a real certificate there is no scripts/certs.sh and the pair is
not in the tree; a throwaway self-signed pair stands in for it at the mount (said in the
output). With scripts/certs.sh, a mounted file it does not make fails the run.
"""
import os
import re
import shlex
import shutil

NGINX_IMAGE = re.compile(r"^(?:docker\.io/)?(?:library/)?nginx(?::[^@/]*)?(?:@.+)?$")
CONF_D = "/etc/nginx/conf.d"
DEFAULT_CONF = CONF_D + "/default.conf"
# What the official image's own conf.d/default.conf listens on while no file replaces it.
IMAGE_DEFAULT_LISTEN = [("0.0.0.0", 80)]
CERTS_SCRIPT = "scripts/certs.sh"
SEARCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Node paths under this directory are the tree's (a scratch copy bind-mounted there, see Setup.script).
NODE_ROOT = "/home"
RUN_DIR = "/etc/nginx/run"

# The official image's nginx.conf (docker-nginx, mainline/debian/nginx.conf) with the paths
# that would write outside the private namespace pointed into it, and no `user` (see above):
# nginx, started as root, then runs its workers as `nobody` and chowns its temp dirs to it.
NGINX_CONF = """\
# spark-gen proof: the nginx image's /etc/nginx/nginx.conf, private paths
worker_processes  1;
error_log  stderr notice;
pid        {run}/nginx.pid;

events {{
    worker_connections  1024;
}}

http {{
{mime}    default_type  application/octet-stream;
    access_log  /dev/stdout;
    sendfile        on;
    keepalive_timeout  65;
    client_body_temp_path {run}/client_body;
    proxy_temp_path       {run}/proxy;
    fastcgi_temp_path     {run}/fastcgi;
    uwsgi_temp_path       {run}/uwsgi;
    scgi_temp_path        {run}/scgi;

    include /etc/nginx/conf.d/*.conf;
}}
"""


def nginx_binary():
    return shutil.which("nginx", path=SEARCH_PATH)


def bind_mounts(service, project_on_node):
    """[(source on the node, target in the container, read_only)] of a service's bind mounts,
    short and long syntax; a relative source is relative to the compose project directory.
    Named volumes are left out."""
    mounts = []
    for volume in (service or {}).get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                mounts.append((os.path.normpath(os.path.join(project_on_node, volume["source"])),
                               volume["target"].rstrip("/") or "/", bool(volume.get("read_only"))))
            continue
        parts = str(volume).split(":")
        if len(parts) >= 2 and parts[0][:1] in ("/", "."):
            options = parts[2].split(",") if len(parts) > 2 else []
            mounts.append((os.path.normpath(os.path.join(project_on_node, parts[0])), parts[1].rstrip("/") or "/", "ro" in options))
    return mounts


def is_conf_target(target):
    return os.path.dirname(target) == CONF_D and target.endswith(".conf")


def nginx_services(compose, project_on_node):
    """[(name, service, mounts)] of the services that run NGINX: the official image, or any
    image with a conf mounted at /etc/nginx/conf.d/default.conf."""
    found = []
    for name, service in ((compose or {}).get("services") or {}).items():
        mounts = bind_mounts(service, project_on_node)
        if NGINX_IMAGE.match(str((service or {}).get("image", ""))) or any(target == DEFAULT_CONF for _, target, _ in mounts):
            found.append((name, service or {}, mounts))
    return found


# --- the conf, as nginx parses it ---------------------------------------------------------

def parse(text):
    """A conf as [(name, [args], children or None)]: nginx's syntax of words, quoted strings,
    `;`-terminated directives and `{…}` blocks, with # comments."""
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|#[^\n]*|[{};]|[^\s{};"\'#]+', text)
    stack, current, words = [], [], []
    for token in tokens:
        if token.startswith("#"):
            continue
        if token == ";":
            if words:
                current.append((words[0], words[1:], None))
            words = []
        elif token == "{":
            block = []
            current.append((words[0] if words else "", words[1:], block))
            stack.append(current)
            current, words = block, []
        elif token == "}":
            if not stack:
                raise ValueError("unbalanced }")
            current, words = stack.pop(), []
        else:
            words.append(token[1:-1] if token[:1] in "\"'" else token)
    if stack:
        raise ValueError("unbalanced {")
    return current


def directives(nodes, name):
    """Every directive called name, at any depth."""
    for directive, args, children in nodes:
        if directive == name:
            yield args
        if children:
            yield from directives(children, name)


def listen_address(value):
    """(bind, port) of one `listen` value: `443` and `*:443` are every (IPv4) address, an
    address alone is port 80, `localhost` is 127.0.0.1; None for a unix socket. Other host
    names are not modeled (ValueError)."""
    if value.startswith("unix:"):
        return None
    match = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?", value)
    if match:
        return match.group(1), int(match.group(2) or 80)
    if value.isdigit():
        return "0.0.0.0", int(value)
    host, _, port = value.rpartition(":") if ":" in value else (value, "", "80")
    host = {"*": "0.0.0.0", "localhost": "127.0.0.1"}.get(host, host)
    if not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", host):
        raise ValueError(f"listen {value}: host {host!r} is a name; only addresses are modeled")
    return host, int(port)


def listeners(conf_text):
    """(bind, port) of every server block of a conf.d file (a server without `listen`
    listens on every address, port 80, when nginx runs as root)."""
    found = []
    for directive, _args, children in parse(conf_text):
        if directive != "server" or children is None:
            continue
        values = [args[0] for args in directives(children, "listen") if args]
        if not values:
            found.append(("0.0.0.0", 80))
        for value in values:
            address = listen_address(value)
            if address:
                found.append(address)
    return found


def service_listeners(tree, node, mounts):
    """Where an NGINX service listens: every conf mounted into conf.d, plus the image's own
    default.conf (port 80) unless a file replaces it. Raises ValueError for a conf that is
    not in the tree."""
    found = [] if any(target == DEFAULT_CONF for _, target, _ in mounts) else list(IMAGE_DEFAULT_LISTEN)
    for source, target, _ in mounts:
        if is_conf_target(target):
            path = os.path.join(tree, "nodes", node, source.lstrip("/"))
            if not os.path.isfile(path):
                raise ValueError(f"{source} (mounted at {target}) is not in the tree")
            found += listeners(open(path).read())
    return found


def ssl_files(tree, node, mounts):
    """{container path: "cert" | "key"} the mounted confs name in ssl_certificate(_key)."""
    named = {}
    for source, target, _ in mounts:
        path = os.path.join(tree, "nodes", node, source.lstrip("/"))
        if is_conf_target(target) and os.path.isfile(path):
            nodes = parse(open(path).read())
            named.update({args[0]: "cert" for args in directives(nodes, "ssl_certificate") if args})
            named.update({args[0]: "key" for args in directives(nodes, "ssl_certificate_key") if args})
    return named


# --- the private mount namespace ----------------------------------------------------------

class Setup:
    """What it takes to run NGINX as one compose service would: the script to run under
    `unshare --mount`, and what it found on the way (notes, problems)."""

    def __init__(self, tree, node, compose_path, name, service, mounts, scratch):
        self.tree, self.node, self.name, self.scratch = tree, node, name, scratch
        self.node_dir = os.path.join(tree, "nodes", node)
        self.project_on_node = "/" + os.path.relpath(os.path.dirname(compose_path), self.node_dir)
        self.mounts = mounts
        self.notes, self.problems = [], []
        self.confs = [(source, target) for source, target, _ in mounts if is_conf_target(target)]
        if DEFAULT_CONF not in (target for _, target in self.confs):
            self.problems.append(f"service {name} mounts no conf at {DEFAULT_CONF}: the image's own server on port 80 would run")
        self.certs_on_node = os.path.join(self.project_on_node, CERTS_SCRIPT)
        self.certs_in_tree = os.path.join(self.node_dir, self.certs_on_node.lstrip("/"))
        if not os.path.isfile(self.certs_in_tree):
            self.certs_on_node = None
        self.ssl = ssl_files(tree, node, mounts)
        self.binary = nginx_binary()
        if self.binary is None:
            self.problems.append("nginx is not installed (scripts/bootstrap.sh --test installs it)")

    def ssl_sources(self):
        """{"cert" | "key": source on the node} of the mounts the confs name in ssl_certificate(_key)."""
        return {self.ssl[target]: source for source, target, _ in self.mounts if target in self.ssl}

    def conf_in_tree(self, source):
        return os.path.join(self.node_dir, source.lstrip("/"))

    def script(self, nginx_arguments, after_certs="", certs_runs=1):
        """The bash script for `unshare --mount bash -c`: the private /home and /etc/nginx,
        scripts/certs.sh run certs_runs times (the shell lines after_certs after each run),
        the mounts, then exec nginx with nginx_arguments."""
        mime = "/etc/nginx/mime.types"
        mime_copy = os.path.join(self.scratch, "mime.types")
        if os.path.isfile(mime):
            shutil.copy(mime, mime_copy)
        conf = NGINX_CONF.format(run=RUN_DIR, mime="    include       /etc/nginx/mime.types;\n" if os.path.isfile(mime_copy) else "")
        conf_path = os.path.join(self.scratch, "nginx.conf")
        with open(conf_path, "w") as handle:
            handle.write(conf)
        q = shlex.quote
        home_in_tree = os.path.join(self.node_dir, NODE_ROOT.lstrip("/"))
        home_copy = os.path.join(self.scratch, "node-home")
        lines = [
            "set -euo pipefail",
            f"mkdir -m 0755 {q(home_copy)}",
        ]
        if os.path.isdir(home_in_tree):
            lines.append(f"cp -a {q(home_in_tree)}/. {q(home_copy)}/")
        lines += [
            "mount --make-rprivate /",
            f"mount --bind {q(home_copy)} {NODE_ROOT}",
        ]
        if self.certs_on_node:
            if not self.certs_on_node.startswith(NODE_ROOT + "/"):
                self.problems.append(f"{self.certs_on_node} is not under {NODE_ROOT}: its dir= cannot be made private here")
            for run in range(1, certs_runs + 1):
                lines.append(f"echo '--- {self.certs_on_node} (run {run})'")
                # As the RUNBOOK runs it: by its path, so its shebang and mode count.
                lines.append(self.certs_on_node)
                if after_certs:
                    lines.append(after_certs)
        lines += [
            "mount -t tmpfs -o mode=0755 spark-gen-nginx /etc/nginx",
            f"mkdir -p {CONF_D} {RUN_DIR}",
            f"cp {q(conf_path)} /etc/nginx/nginx.conf",
        ]
        if os.path.isfile(mime_copy):
            lines.append(f"cp {q(mime_copy)} /etc/nginx/mime.types")
        standin = {kind: os.path.join(self.scratch, f"stand-in-{kind}.pem") for kind in ("cert", "key")}
        made_standin = False
        for source, target, read_only in self.mounts:
            if source.startswith(NODE_ROOT + "/"):
                path = source
            elif os.path.exists(self.conf_in_tree(source)):
                path = self.conf_in_tree(source)
            else:
                path = None
            kind = self.ssl.get(target)
            if kind and self.certs_on_node is None:
                # A certificate the topology names: on the node, not in the tree.
                if not made_standin:
                    lines.append(f"openssl req -x509 -newkey rsa:2048 -sha256 -days 2 -nodes -keyout {q(standin['key'])} "
                                 f"-out {q(standin['cert'])} -subj /CN=spark-gen-stand-in "
                                 "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null")
                    made_standin = True
                self.notes.append(f"{source} (the topology's {kind}) is on the node only: a throwaway self-signed pair stands in")
                path = standin[kind]
            if path is None:
                self.problems.append(f"service {self.name} mounts {source}, which is neither in the tree nor under {NODE_ROOT}")
                continue
            lines += [
                f"if [ ! -e {q(path)} ]; then echo {q(f'service {self.name} mounts {source} at {target}, which does not exist: docker would mount an empty directory there')} >&2; exit 3; fi",
                f"mkdir -p {q(os.path.dirname(target))}",
                f"if [ -d {q(path)} ]; then mkdir -p {q(target)}; else touch {q(target)}; fi",
                f"mount --bind {q(path)} {q(target)}",
            ]
            if read_only:
                lines.append(f"mount -o remount,bind,ro {q(target)}")
        lines.append(f"exec {q(self.binary or 'nginx')} -c /etc/nginx/nginx.conf -e stderr {' '.join(q(a) for a in nginx_arguments)}")
        return "\n".join(lines) + "\n"
