"""The trust-boundary verdicts (netns_matrix.py): listeners on an address the intent does not
allow, and the matrix of probes against the intent, printed per node and port.
"""


def audit_listeners(intent, listeners_by_node):
    """Every listener the artifacts configure binds exactly where the intent says: a vLLM or app
    on 0.0.0.0 may look harmless behind ufw and the policy, but it removes a layer of defence."""
    problems = []
    for node, listeners in listeners_by_node.items():
        intended = {(c["bind"], c["port"]) for c in intent["reachability"] if c["node"] == node}
        for bind, port in sorted(set(listeners) - intended):
            problems.append(f"{node}: the artifacts bind port {port} on {bind}, the plan says {sorted(b for b, p in intended if p == port) or 'nothing'}")
        for bind, port in sorted(intended - set(listeners)):
            problems.append(f"{node}: nothing in the artifacts listens on {bind}:{port}")
    return problems


def print_matrix(intent, observed):
    vantages = intent["vantages"]
    mismatches = 0
    for node in [n["name"] for n in intent["nodes"]]:
        cells = [c for c in intent["reachability"] if c["node"] == node]
        columns = [v for v in vantages if any(c["vantage"] == v for c in cells)]
        rows = [["port", "service"] + columns]
        for port, service in dict.fromkeys((c["port"], c["service"]) for c in cells):
            row = [str(port), service]
            for vantage in columns:
                cell = next((c for c in cells if c["port"] == port and c["vantage"] == vantage), None)
                if cell is None:
                    row.append("")
                    continue
                actual = observed[(node, port, vantage)]
                mark = "yes" if actual else "—"
                if actual != cell["reachable"]:
                    mismatches += 1
                    mark = f"{mark} ≠ {'yes' if cell['reachable'] else '—'}!"
                row.append(mark)
            rows.append(row)
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        print(f"\n  {node}")
        for row in rows:
            print("    " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    return mismatches
