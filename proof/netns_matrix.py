"""Proves a generated stack's trust boundary on a real kernel.

  netns_matrix.py --tree OUT_DIR --intent TRUST_JSON

OUT_DIR is a tree written by `spark-gen build`; TRUST_JSON is `spark-gen trust --format json`
for the same topology: the node wiring and the reachability the topology intends.

Network namespaces stand for the nodes, linked by a switch per link of the topology (direct
links and fabrics alike; each LAN with a neighbour host that is not a node) and, per tailnet,
a switch with one user device. Each host of the intent (a machine spark-gen does not deploy
to, such as a spark-control panel, vantage host:LINK:NAME) gets a namespace of its own on the
switches of its links, with its own addresses: the firewall admits it by address, while the
LAN's anonymous neighbour (vantage lan:LINK) never has a host's address. In each
node the *generated* artifacts decide what happens:

- scripts/firewall.sh is run with the real ufw, against a private copy of its state (once per
  distinct script in a test run: with SPARK_FIREWALL_CACHE, a later proof of the same script
  restores exactly what ufw made, netns_proof/firewall.py);
- listeners bind where litellm.service, compose.yaml (env, --host/--port, OLLAMA_HOST, the
  images' defaults, redis-server's --bind/--port inside its `sh -c` command, the `listen`s
  of the confs an NGINX service mounts into /etc/nginx/conf.d, NIM_HTTP_API_PORT and
  NIM_GRPC_API_PORT of an NVIDIA NIM image) and the vLLM entrypoints say (a catalog's models
  take turns on one socket: it is listed once);
- `tailscale serve` lines of scripts/tailscale-up.sh become forwarders on the tailnet address;
- the tailnet's policy.hujson decides which ports a tailnet device may reach.

It models what real nodes do, or the test proves nothing: tailscaled filters tailnet traffic
by the policy and then ACCEPTs everything from tailscale0 ahead of ufw's chains; a published
Docker port is DNAT'ed in PREROUTING and passes FORWARD, so ufw's INPUT never sees it; and
Linux accepts a packet for any of its addresses on any interface, so a LAN's neighbour (and a
host) also tries each node's other addresses through the node's address on that LAN, and a
link peer the node's addresses on links the peer is not on, through the link they share.

Every (node, port, vantage) probe is compared with the intent; any difference fails the run.
Then each node's own verify.sh probes of its peers (its `== Reachability of …` sections) run
unchanged in its namespace against those firewalls and listeners, and every line must pass
(netns_proof/verify_probes.py).
Only namespaces this run creates are touched, and all of them are removed at the end.
"""
import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

# The package netns_proof/ beside this file, whatever the cwd and however Python was started.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# in_ns, run and Harness: ray_check.py uses them as netns_matrix.in_ns, .run and .Harness.
from netns_proof.harness import Harness, in_ns, run  # noqa: E402,F401
from netns_proof.matrix import audit_listeners, print_matrix  # noqa: E402
from netns_proof import verify_probes  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--intent", required=True)
    arguments = parser.parse_args()
    if os.geteuid() != 0:
        print("netns_matrix: network namespaces need root", file=sys.stderr)
        return 2
    intent = json.load(open(arguments.intent))
    host_rules_before = run("iptables", "-S").stdout
    harness = Harness(os.path.abspath(arguments.tree), intent)
    started = time.monotonic()
    try:
        harness.build_networks()
        listeners = {node: harness.configure_node(node) for node in harness.nodes}
        # The nodes' verify.sh lines beside the matrix's probes: all of them only connect to
        # listeners that accept and close, through rules fixed by now, and each mostly waits out
        # a time-out of a dropped port (one after the other: 11 s, 13 s and 10 s of a LAN lab's 37).
        with ThreadPoolExecutor(max_workers=1) as pool:
            verifying = pool.submit(verify_probes.run_all, harness)
            observed = harness.observe(listeners)
            tag_paths = harness.tag_paths()
            own_probes = verifying.result()
    finally:
        harness.cleanup()
    print(f"Reachability probed on a real kernel (yes: connection admitted; x ≠ y!: observed x, intended y)")
    mismatches = print_matrix(intent, observed)
    problems = audit_listeners(intent, listeners)
    for problem in problems:
        print(f"listener audit: {problem}")
    mismatches += len(problems)
    if tag_paths:
        print("\nBetween nodes over the tailnet, as their tags, from the node that calls")
    for description, ok in tag_paths:
        print(f"  {'ok  ' if ok else 'FAIL'}  {description}")
    mismatches += sum(1 for _, ok in tag_paths if not ok)
    if own_probes:
        print("\nEach node's verify.sh, its probes of its peers (== Reachability of …), on this kernel")
    for description, ok in own_probes:
        print(f"  {'ok  ' if ok else 'FAIL'}  {description}")
    mismatches += sum(1 for _, ok in own_probes if not ok)
    by_ufw = [node for node, how in harness.firewalls.items() if how == "ufw"]
    restored = [node for node, how in harness.firewalls.items() if how == "restored"]
    print(f"\nfirewall.sh run by ufw here: {', '.join(by_ufw) or 'none'}"
          + (f"; restored exactly as ufw made it earlier in this test run: {', '.join(restored)}" if restored else ""))
    if run("iptables", "-S").stdout != host_rules_before:
        print("netns_matrix: the host's firewall changed during the run", file=sys.stderr)
        return 1
    print(f"\nnetns: {len(observed) + len(tag_paths) + len(own_probes) - mismatches} passed, {mismatches} failed ({time.monotonic() - started:.1f} s)")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
