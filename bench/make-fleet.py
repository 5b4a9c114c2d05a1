#!/usr/bin/env python3
"""Writes a topology of N split-trust pairs to stdout, for timing lint and build on fleets.

  bench/make-fleet.py N [--shape SHAPE] [--shared]

Pair i has two owners (o<i>a, o<i>b), each with a tailnet, a LiteLLM with its database and
Open WebUI, and one TP=2 model across the pair. Each pair has its own direct link (a /30, as
a DAC cable between two Sparks), and all nodes share one mgmt LAN.

A shape turns up one dimension of the fleet that could hide growth faster than the fleet,
always in proportion to N, so comparing N with 10 N shows how that dimension scales:

  separate  the fleet above (the default)
  shared    every pair on one fabric instead of its own link (--shared is the same)
  apps      every owner with a salt key, database password and app keys, every node with
            the full app set (LiteLLM, its database, Open WebUI, n8n, Hermes, Hermes WebUI)
  tailnets  tailnets with ssh, kept-open members and tags, extra grants, and each pair's
            first node shared with the second owner's tailnet
  models    three compose-run models per node instead of the pair's cluster, each with a
            fallback to the next, and a route with keywords and a promotion per model
  backends  a tailnet host per owner serving a backend the owner's gateway routes to, with
            a fallback between the backend and the models
  all       every dimension above at once (on separate links)

The shapes above give every owner and tailnet one node, so a loop over one owner's nodes,
one tailnet's tags or one gateway's models stays the same size as the fleet grows. These
keep the owners fixed instead (two: every pair's first node is owner oa's, its second ob's,
each with one tailnet), so what one owner, tailnet or gateway holds grows with the fleet:

  owners    the two owners hold every node, on one fabric; each owner's first node is its
            gateway (LiteLLM, its database, Open WebUI) and routes every model of the owner
  crowded   owners, and each pair adds a kept-open tag, a grant and a share (its first node,
            shared with the other owner's tailnet) to the two tailnets
  chains    owners, with three compose-run models per node instead of the pair's cluster,
            each falling back to the owner's next model (one chain through the fleet), and
            a route with keywords and a promotion per model, all on the owner's one gateway
"""
import argparse

SHAPES = ("separate", "shared", "apps", "tailnets", "models", "backends", "all", "owners", "crowded", "chains")


def pair_address(pair, host):
    """Address `host` of pair `pair`'s /30, counting up from 10.0.0.0."""
    value = (10 << 24) + 4 * pair + host
    return ".".join(str(value >> shift & 255) for shift in (24, 16, 8, 0))


def fleet(pairs, shape):
    # Two owners for the whole fleet (one per side of each pair) instead of two per pair.
    few = shape in ("owners", "crowded", "chains")
    shared = shape == "shared" or few
    every = shape == "all"
    apps = every or shape == "apps"
    tailnets = every or shape in ("tailnets", "crowded")
    models = every or shape in ("models", "chains")
    backends = every or shape == "backends"
    sides = "ab"

    def owner_of(i, side):
        return f"o{side}" if few else f"o{i}{side}"

    def tailnet_of(i, side):
        return f"t{side}" if few else f"t{i}{side}"

    out = ["version: 1", "stack: {name: fleet}", "owners:"]
    for i in range(1 if few else pairs):
        for side in sides:
            owner = owner_of(i, side)
            secrets = f"master_key: {{file: ~/.{owner}-key}}, salt_key: {{file: ~/.{owner}-salt}}"
            secrets += f", db_password: {{file: ~/.{owner}-db.env}}"
            out.append(f"  {owner}: {{tailnet: {tailnet_of(i, side)}, {secrets}}}")

    out.append("tailnets:")
    if few:
        for side in sides:
            fields = [f"tag: tag:t{side}", f"users: [u{side}@example.com]"]
            if tailnets:
                every_pair = range(pairs)
                fields += ["ssh: true", "keep_members_open: true",
                           f"keep_open_tags: [{', '.join(f'tag:keep{i}{side}' for i in every_pair)}]",
                           "grants: [" + ", ".join(f"{{src: [ops{i}{side}@example.com], ports: [4000]}}" for i in every_pair) + "]"]
                if side == "a":
                    fields.append("share: [" + ", ".join(f"{{with: tb, nodes: [n{i}a], ports: [4000]}}" for i in every_pair) + "]")
                else:
                    fields.append("accept: [" + ", ".join(f"{{from: ta, nodes: [n{i}a]}}" for i in every_pair) + "]")
            out.append(f"  t{side}: {{{', '.join(fields)}}}")
    for i in range(0 if few else pairs):
        for side in sides:
            fields = [f"tag: tag:t{i}{side}", f"users: [u{i}{side}@example.com]"]
            if tailnets:
                fields += ["ssh: true", "keep_members_open: true", f"keep_open_tags: [tag:keep{i}{side}]",
                           f"grants: [{{src: [ops{i}{side}@example.com], ports: [4000]}}]"]
                if side == "a":
                    fields.append(f"share: [{{with: t{i}b, nodes: [n{i}a], ports: [4000]}}]")
                else:
                    fields.append(f"accept: [{{from: t{i}a, nodes: [n{i}a]}}]")
            out.append(f"  t{i}{side}: {{{', '.join(fields)}}}")

    if backends:
        out.append("hosts:")
        for i in range(pairs):
            for side in sides:
                out.append(f"  h{i}{side}: {{tailnet: t{i}{side}, tag: tag:lms{i}{side}}}")

    out.append("links:")
    if shared:
        out += ["  dac: {kind: fabric, interface: enp1s0f0np0, hca: rocep1s0f0, subnet: 10.0.0.0/16, mtu: 9216}",
                "  mgmt: {subnet: 10.1.0.0/16}"]
    else:
        for i in range(pairs):
            out.append(f"  d{i}: {{kind: direct, interface: enp1s0f0np0, hca: rocep1s0f0, subnet: {pair_address(i, 0)}/30, mtu: 9216}}")
        out.append("  mgmt: {subnet: 172.16.0.0/12}")

    out.append("nodes:")
    for i in range(pairs):
        for n, side in enumerate(sides):
            node, owner = f"n{i}{side}", owner_of(i, side)
            host = 2 * i + n + 1
            octets = f"{host // 250}.{host % 250 + 1}"
            out += [f"  {node}:", f"    owner: {owner}", "    user: ops",
                    "    hardware: {kind: dgx-spark, memory_gb: 128, usable_gb: 121}"]
            if shared:
                out += [f"    mgmt_ip: 10.1.{octets}", f"    dac_ip: 10.0.{octets}"]
            else:
                out += [f"    mgmt_ip: 172.16.{octets}", f"    links: {{d{i}: {pair_address(i, n + 1)}}}"]
            if tailnets and side == "a":
                # Shared with the other owner's tailnet: a grant admits shared-in users only by address (ST012).
                out.append(f"    tailnet_ip: 100.64.{octets}")
            if few:
                # The owner's gateway: its first node; the others run models only.
                if i == 0:
                    out.append("    apps: [litellm, litellm-db, open-webui]")
            elif apps:
                out.append(f"    apps: [litellm, litellm-db, {{open-webui: {{key: {{file: ~/.{owner}-webui.env}}}}}}, n8n, hermes, "
                           f"{{hermes-webui: {{password: {{file: ~/.{owner}-hermes-webui.env}}}}}}]")
            else:
                out.append("    apps: [litellm, litellm-db, open-webui]")

    if backends:
        out.append("backends:")
        for i in range(pairs):
            for side in sides:
                # With models, the backend ends each model's chain; otherwise it spills to the cluster.
                chain = "" if models else f", fallbacks: [m{i}]"
                out.append(f"  b{i}{side}: {{host: h{i}{side}, model: lms-{i}{side}, slots: 3{chain}}}")

    out.append("models:")
    for i in range(pairs):
        if models:
            for side in sides:
                for k in range(3):
                    name = f"p{i}{side}{k}"
                    following = f"p{i}{side}{k + 1}" if k < 2 else (f"b{i}{side}" if backends else None)
                    if few and k == 2 and i + 1 < pairs:
                        following = f"p{i + 1}{side}0"
                    out += [f"  {name}:", "    source: Qwen/Qwen2.5-7B-Instruct-AWQ", "    weights_gb: 7",
                            "    runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}",
                            f"    node: n{i}{side}", f"    port: {8100 + k}",
                            "    vllm: {gpu_memory_utilization: 0.25, max_model_len: 32768, max_num_seqs: 8}"]
                    if following:
                        out.append(f"    fallbacks: [{following}]")
        else:
            out += [f"  m{i}:", "    source: Qwen/Qwen3.5-122B-A10B-GPTQ-Int4", "    weights_gb: 68",
                    "    runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3, image: vllm-spark:26.04, ray_token: {file: ~/.ray.env}}",
                    f"    cluster: {{head: n{i}a, workers: [n{i}b], tensor_parallel: 2}}",
                    "    vllm: {gpu_memory_utilization: 0.8, max_model_len: 32768}"]

    if models:
        out.append("routes:")
        for i in range(pairs):
            for side in sides:
                for k in range(3):
                    promote = f", promote: [{{over: 8192, to: p{i}{side}{k + 1}}}]" if k < 2 else ""
                    out.append(f"  r{i}{side}/{k}: {{model: p{i}{side}{k}, keywords: [kw{i}{side}{k}, task{k}]{promote}}}")

    if not models:
        out += ["accept_risks:", "  - {rule: TR001, reason: \"each pair shares its cluster under a written agreement\"}"]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=int)
    parser.add_argument("--shape", choices=SHAPES, default="separate")
    parser.add_argument("--shared", action="store_true", help="the same as --shape shared")
    arguments = parser.parse_args()
    print(fleet(arguments.pairs, "shared" if arguments.shared else arguments.shape))


if __name__ == "__main__":
    main()
