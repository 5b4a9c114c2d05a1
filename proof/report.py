#!/usr/bin/env python3
"""Prints the per-example proof table from what the test run recorded, without proving again.

  report.py DIR

scripts/test.sh sets SPARK_PROOF_REPORT=DIR for `swift test`; RealToolTests records what
prove.py printed for each example and checker as DIR/<example>/<checker>.txt, and
TrustBoundaryProofTests what netns_matrix.py printed as DIR/<example>/netns.txt. This joins
each example's rows under one heading (checkers in prove.py's order), prints the reachability
matrices, and ends with the totals. It exits 1 when a recorded row failed, when a record has
no totals line (a proof that died), or when nothing was recorded at all: a table that proves
nothing must not pass.

Then the costliest proofs: every proof the tests started (Tests/SparkTestSupport/ProofCost.swift)
recorded one line in DIR/.cost/ (CPU seconds, wall seconds, measure, label, note, and when it
asked for a slot and got one, in seconds since the epoch); the COSTLIEST with the most CPU are
printed, and the total of all. Then the run's tail: the LAST proofs to end, each with when it
asked, started and ended (seconds from the first proof's start), for scheduling: a long proof
that starts late keeps the run going while the other slots stand empty. The measure says what the CPU figure
counts: "cgroup v2"/"cgroup v1" every process the proof started, daemons included; "rusage"
only the children it waited for (no cgroup could be made).
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

TOTALS = re.compile(r"^(?:prove|netns): (\d+) passed, (\d+) failed", re.MULTILINE)
HEADING = re.compile(r"^== .*: \d+ checks in \d+ s$")
COSTLIEST = 15
LAST = 8


def checker_order():
    """prove.py's checkers in the order it runs them, netns among them."""
    source = open(os.path.join(HERE, "prove.py"), encoding="utf-8").read()
    block = source[source.index("CHECKERS = {"):]
    block = block[:block.index("}")]
    return re.findall(r'^\s+"([a-z]+)":', block, re.MULTILINE)


def rows_of(text):
    """The table rows of one prove.py run: the lines after each example's heading."""
    rows, inside = [], False
    for line in text.splitlines():
        if HEADING.match(line):
            inside = True
            continue
        if line.startswith("prove: "):
            inside = False
        elif inside and line.strip():
            rows.append(line)
    return rows


def costs(root):
    """The cost table's lines: the COSTLIEST proofs by CPU, then the totals; [] when none was recorded."""
    folder = os.path.join(root, ".cost")
    records = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not name.endswith(".tsv"):
            continue
        for line in open(os.path.join(folder, name), encoding="utf-8").read().splitlines():
            fields = line.split("\t")
            if len(fields) < 4:
                continue
            cpu = float(fields[0]) if fields[0] != "-" else None
            times = tuple(float(field) for field in fields[5:7]) if len(fields) > 6 else None
            records.append((cpu, float(fields[1]), fields[2], fields[3], fields[4] if len(fields) > 4 else "", times))
    if not records:
        return []
    records.sort(key=lambda record: (-(record[0] or 0), -record[1], record[3]))
    lines = [f"\n== the {min(COSTLIEST, len(records))} costliest of {len(records)} proofs (CPU: user+sys of the proof and what it started)",
             f"{'CPU s':>8} {'wall s':>8}  measure    proof"]
    for cpu, wall, measure, label, note, _ in records[:COSTLIEST]:
        cpu_text = f"{cpu:8.1f}" if cpu is not None else f"{'-':>8}"
        lines.append(f"{cpu_text} {wall:8.1f}  {measure:<10} {label}" + (f"  ({note})" if note else ""))
    # A proof that left processes behind is named whatever it cost: tests clean up after themselves.
    lines += [f"{cpu or 0:8.1f} {wall:8.1f}  {measure:<10} {label}  ({note})" for cpu, wall, measure, label, note, _ in records[COSTLIEST:] if note]
    total_cpu = sum(record[0] or 0 for record in records)
    total_wall = sum(record[1] for record in records)
    measures = sorted({record[2] for record in records})
    unmeasured = sum(1 for record in records if record[0] is None)
    lines.append(f"{total_cpu:8.1f} {total_wall:8.1f}  total of {len(records)} proofs, measured by {', '.join(measures)}"
                 + (f"; {unmeasured} without a CPU figure" if unmeasured else "")
                 + ("; rusage misses daemons no one waited for" if "rusage" in measures else ""))
    return lines + tail(records)


def tail(records):
    """The LAST proofs to end: asked, started and ended, in seconds from the first proof's start."""
    timed = [(times[0], times[1], times[1] + wall, cpu, label) for cpu, wall, _, label, _, times in records if times]
    if not timed:
        return []
    origin = min(started for _, started, _, _, _ in timed)
    timed.sort(key=lambda entry: (-entry[2], entry[4]))
    lines = [f"\n== the last {min(LAST, len(timed))} proofs to end (seconds from the first proof's start)",
             f"{'asked':>7} {'started':>7} {'ended':>7} {'CPU s':>7}  proof"]
    for asked, started, ended, cpu, label in timed[:LAST]:
        cpu_text = f"{cpu:7.1f}" if cpu is not None else f"{'-':>7}"
        lines.append(f"{asked - origin:7.1f} {started - origin:7.1f} {ended - origin:7.1f} {cpu_text}  {label}")
    return lines


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    root = sys.argv[1]
    examples = sorted(name for name in os.listdir(root) if not name.startswith(".") and os.path.isdir(os.path.join(root, name))) if os.path.isdir(root) else []
    if not examples:
        for line in costs(root):
            print(line)
        print(f"report: nothing was recorded in {root}")
        return 1
    order = checker_order()
    passed = failed = broken = 0
    for example in examples:
        records = {name[:-4]: os.path.join(root, example, name) for name in os.listdir(os.path.join(root, example)) if name.endswith(".txt")}
        ranked = sorted(records, key=lambda checker: (order.index(checker) if checker in order else len(order), checker))
        rows, matrices = [], []
        for checker in ranked:
            text = open(records[checker], encoding="utf-8").read()
            totals = TOTALS.findall(text)
            if not totals:
                broken += 1
                rows.append(f"  {checker}: no totals recorded (the proof died)")
                continue
            passed += sum(int(p) for p, _ in totals)
            failed += sum(int(f) for _, f in totals)
            if checker == "netns":
                matrices.append(text.strip())
            else:
                rows += rows_of(text)
        print(f"\n== {example}: {len(rows)} checks ({', '.join(ranked)})")
        print("\n".join(rows))
        for matrix in matrices:
            print(matrix)
    for line in costs(root):
        print(line)
    print(f"\nprove: {passed} passed, {failed + broken} failed")
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main())
