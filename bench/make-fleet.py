#!/usr/bin/env python3
"""Writes a topology of N split-trust pairs to stdout, for timing lint and build on fleets.

  bench/make-fleet.py N [--shared]

Pair i has two owners (o<i>a, o<i>b), each with a tailnet, a LiteLLM with its database and
Open WebUI, and one TP=2 model across the pair. Each pair has its own direct link (a /30, as
a DAC cable between two Sparks), and all nodes share one mgmt LAN. With --shared every pair
is on one fabric instead, the case where output used to grow with the square of the fleet.
"""
import sys


def pair_address(pair, host):
    """Address `host` of pair `pair`'s /30, counting up from 10.0.0.0."""
    value = (10 << 24) + 4 * pair + host
    return ".".join(str(value >> shift & 255) for shift in (24, 16, 8, 0))


def main():
    pairs = int(sys.argv[1])
    shared = "--shared" in sys.argv[2:]
    out = ["version: 1", "stack: {name: fleet}", "owners:"]
    for i in range(pairs):
        for side in "ab":
            out.append(f"  o{i}{side}: {{tailnet: t{i}{side}, master_key: {{file: ~/.o{i}{side}-key}}, salt_key: {{file: ~/.o{i}{side}-key}}, db_password: {{file: ~/.o{i}{side}-db.env}}}}")
    out.append("tailnets:")
    for i in range(pairs):
        for side in "ab":
            out.append(f"  t{i}{side}: {{tag: tag:t{i}{side}, users: [u{i}{side}@example.com]}}")
    out.append("links:")
    if shared:
        out += ["  dac: {kind: fabric, interface: enp1s0f0np0, hca: rocep1s0f0, subnet: 10.0.0.0/16, mtu: 9216}", "  mgmt: {subnet: 10.1.0.0/16}"]
    else:
        for i in range(pairs):
            out.append(f"  d{i}: {{kind: direct, interface: enp1s0f0np0, hca: rocep1s0f0, subnet: {pair_address(i, 0)}/30, mtu: 9216}}")
        out.append("  mgmt: {subnet: 172.16.0.0/12}")
    out.append("nodes:")
    for i in range(pairs):
        for n, side in enumerate("ab"):
            host = 2 * i + n + 1
            octets = f"{host // 250}.{host % 250 + 1}"
            out.append(f"  n{i}{side}:")
            out.append(f"    owner: o{i}{side}")
            out.append("    user: ops")
            out.append("    hardware: {kind: dgx-spark, memory_gb: 128, usable_gb: 121}")
            if shared:
                out.append(f"    mgmt_ip: 10.1.{octets}")
                out.append(f"    dac_ip: 10.0.{octets}")
            else:
                out.append(f"    mgmt_ip: 172.16.{octets}")
                out.append(f"    links: {{d{i}: {pair_address(i, n + 1)}}}")
            out.append("    apps: [litellm, litellm-db, open-webui]")
    out.append("models:")
    for i in range(pairs):
        out += [
            f"  m{i}:",
            "    source: Qwen/Qwen3.5-122B-A10B-GPTQ-Int4",
            "    weights_gb: 68",
            "    runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3, image: vllm-spark:26.04, ray_token: {file: ~/.ray.env}}",
            f"    cluster: {{head: n{i}a, workers: [n{i}b], tensor_parallel: 2}}",
            "    vllm: {gpu_memory_utilization: 0.8, max_model_len: 32768}",
        ]
    out += ["accept_risks:", "  - {rule: TR001, reason: \"each pair shares its cluster under a written agreement\"}"]
    print("\n".join(out))


if __name__ == "__main__":
    main()
