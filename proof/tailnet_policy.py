"""Our reading of a generated Tailscale policy: what its grants let a user reach.

Shared by prove.py (which checks the policy's own tests block against it) and
netns_matrix.py (which filters tailnet traffic by it), so both read the policy the same way.
"""
import json


def load(path):
    """The policy as JSON: spark-gen's HuJSON uses comments only on whole lines."""
    with open(path) as handle:
        return json.loads("".join(line for line in handle if not line.lstrip().startswith("//")))


def granted_ports(policy, user, tag):
    """The TCP ports the grants give `user` on devices tagged `tag`; None means every port."""
    groups = {name for name, members in policy.get("groups", {}).items() if user in members}
    ports = set()
    for grant in policy["grants"]:
        if not set(grant["src"]) & ({"*", "autogroup:member", user} | groups):
            continue
        if tag not in grant["dst"] and "*" not in grant["dst"]:
            continue
        for capability in grant["ip"]:
            if capability == "*":
                return None
            ports.add(int(capability.split(":")[-1]))
    return ports
