"""Our reading of a generated Tailscale policy: what its grants let a user or a tag reach.

Shared by prove.py (which checks the policy's own tests block against it) and
netns_matrix.py (which filters tailnet traffic by it), so both read the policy the same way.
It is written apart from spark-gen's own evaluator on purpose: two readings that must agree.
Selectors: `*` is every device, tagged ones included; `autogroup:member` and groups are users'
own devices only, never tagged devices.
"""
import json


def load(path):
    """The policy as JSON: spark-gen's HuJSON uses comments only on whole lines."""
    with open(path) as handle:
        return json.loads("".join(line for line in handle if not line.lstrip().startswith("//")))


def covers(policy, selector, principal):
    """Whether a grant selector covers a principal (a user's email, or a tag)."""
    if selector in ("*", principal):
        return True
    if principal.startswith("tag:"):
        return False
    if selector == "autogroup:member":
        return True
    return principal in policy.get("groups", {}).get(selector, [])


def granted_ports(policy, source, destination):
    """The TCP ports the grants give `source` on `destination` (a tag or a user's devices);
    None means every port."""
    ports = set()
    for grant in policy["grants"]:
        if not any(covers(policy, s, source) for s in grant["src"]):
            continue
        if not any(covers(policy, d, destination) for d in grant["dst"]):
            continue
        for capability in grant["ip"]:
            if capability == "*":
                return None
            ports.add(int(capability.split(":")[-1]))
    return ports
