"""The netplan checker of prove.py: every node's /etc/netplan/60-spark-gen-<link>.yaml, read by
the real netplan.

For each node of the tree with a netplan file (scripts/bootstrap.sh --test installs Debian's
netplan.io):
  - the file is mode 0600 in the tree (netplan warns "Permissions for … are too open" on one
    others can read), and is the one the node's RUNBOOK.md writes with `tee` (the same bytes);
  - `netplan generate --root-dir SCRATCH` renders the node's files into systemd-networkd units
    under SCRATCH/run (it needs no running systemd and touches nothing of this machine), with
    nothing on stderr: no error, no warning;
  - what it rendered is what the topology says: every direct link's or fabric's address of the
    node (the intent, `spark-gen trust --format json`) and each address verify.sh checks with
    `has_address` is an `Address=` with the link's prefix, on that device; every `mtu_is` of
    verify.sh is the device's `MTUBytes=`; no gateway, no route (`Gateway=`, `[Route]`);
    `RequiredForOnline=no` (optional: boot does not wait for an unplugged cable); and no file for
    a LAN, whose configuration is the operator's.
"""
import glob
import ipaddress
import os
import re
import shutil
import subprocess
import tempfile


def _networkd(path):
    """The keys of a systemd .network file as (section, key, value) triples."""
    section, entries = None, []
    for line in open(path):
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line:
            key, value = line.split("=", 1)
            entries.append((section, key, value))
    return entries


def _runbook_files(node_dir):
    """The files the node's RUNBOOK.md writes with `sudo tee PATH <<'EOF'`, by path."""
    runbooks = glob.glob(os.path.join(node_dir, "home", "*", "*", "RUNBOOK.md"))
    if not runbooks:
        return {}
    text = open(runbooks[0]).read()
    return {match.group(1): match.group(2) for match in re.finditer(r"sudo tee (/etc/netplan/\S+) >/dev/null <<'EOF'\n(.*?)^EOF$", text, re.M | re.S)}


def _verify_expectations(node_dir):
    """verify.sh's `has_address DEV IP` and `mtu_is DEV MTU` checks."""
    scripts = glob.glob(os.path.join(node_dir, "home", "*", "*", "scripts", "verify.sh"))
    text = open(scripts[0]).read() if scripts else ""
    addresses = re.findall(r"^expect .* has_address '?([\w.-]+)'? ([\d.]+)$", text, re.M)
    mtus = {device: mtu for device, mtu in re.findall(r"^expect .* mtu_is '?([\w.-]+)'? (\d+)$", text, re.M)}
    return addresses, mtus


def _problems(example, node, node_dir, files, scratch, stderr_out):
    links = {link["name"]: link for link in example.intent["links"]}
    problems = []
    for path in files:
        mode = os.stat(path).st_mode & 0o7777
        if mode != 0o600:
            problems.append(f"{example.relative(path)} is mode {mode:04o}, not 0600")
        link = os.path.basename(path)[len("60-spark-gen-"):-len(".yaml")]
        if link not in links or links[link]["kind"] == "lan":
            problems.append(f"{example.relative(path)}: '{link}' is not a direct link or fabric of the topology")
    written = _runbook_files(node_dir)
    for path in files:
        on_node = "/" + os.path.relpath(path, node_dir)
        if written.get(on_node) != open(path).read():
            problems.append(f"RUNBOOK.md does not write {on_node} as the tree has it")
    rendered = {}
    for network in glob.glob(os.path.join(scratch, "run", "systemd", "network", "*.network")):
        entries = _networkd(network)
        device = next((value for section, key, value in entries if section == "Match" and key == "Name"), None)
        rendered[device] = entries
    node_intent = next(n for n in example.intent["nodes"] if n["name"] == node)
    prefixes = {}
    wanted = []
    for interface in node_intent["interfaces"]:
        link = links[interface["link"]]
        if link["kind"] == "lan":
            continue
        prefix = ipaddress.ip_network(link["subnet"]).prefixlen
        prefixes[interface["ip"]] = prefix
        wanted.append((interface["device"], f"{interface['ip']}/{prefix}"))
    addresses, mtus = _verify_expectations(node_dir)
    # A port's other half takes its link's prefix: verify.sh names it beside the first half.
    link_prefix = next(iter(prefixes.values()), None)
    for device, ip in addresses:
        if (device, ip) not in [(d, a.split("/")[0]) for d, a in wanted]:
            wanted.append((device, f"{ip}/{prefixes.get(ip, link_prefix)}"))
    for device, address in wanted:
        entries = rendered.get(device)
        if entries is None:
            problems.append(f"netplan renders nothing for {device}, which should have {address}")
            continue
        have = [value for section, key, value in entries if key == "Address"]
        if address not in have:
            problems.append(f"{device}: Address={have}, the topology says {address}")
    for device, mtu in mtus.items():
        entries = rendered.get(device)
        if entries is not None:
            have = [value for section, key, value in entries if key == "MTUBytes"]
            if have != [mtu]:
                problems.append(f"{device}: MTUBytes={have}, verify.sh expects {mtu}")
    for device, entries in sorted(rendered.items()):
        if device not in [d for d, _ in wanted]:
            problems.append(f"netplan configures {device}, which is on no direct link or fabric of {node}")
        if any(key == "Gateway" or section == "Route" for section, key, _ in entries):
            problems.append(f"{device}: a gateway or route; a cluster link carries traffic between its own addresses only")
        if ("Link", "RequiredForOnline", "no") not in entries:
            problems.append(f"{device}: boot waits for it (no RequiredForOnline=no: 'optional: true' is missing)")
    if stderr_out:
        problems.append(f"netplan generate said: {stderr_out}")
    return problems


def check_netplan(example, run):
    for node_dir in sorted(glob.glob(os.path.join(example.tree, "nodes", "*"))):
        node = os.path.basename(node_dir)
        files = sorted(glob.glob(os.path.join(node_dir, "etc", "netplan", "*.yaml")))
        if not files or not example.wants(node):
            continue
        scratch = tempfile.mkdtemp(prefix="spark-gen-netplan-")
        try:
            target = os.path.join(scratch, "etc", "netplan")
            os.makedirs(target)
            for path in files:
                shutil.copy2(path, target)
            try:
                result = run(["netplan", "generate", "--root-dir", scratch])
            except FileNotFoundError:
                result = subprocess.CompletedProcess([], 127, "", "netplan is not installed (scripts/bootstrap.sh --test)")
            if result.returncode != 0:
                problems = [f"netplan generate failed: {(result.stdout + result.stderr).strip()}"]
            else:
                problems = _problems(example, node, node_dir, files, scratch, (result.stdout + result.stderr).strip())
            for path in files:
                yield example.relative(path), "netplan generate --root-dir", not problems, "\n".join(problems)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
