#!/usr/bin/env python3
"""Writes the bad-input corpus: hostile and broken topologies, each one file.

  python3 Tests/BadInputs/make_corpus.py [--record BINARY]

Every case starts from examples/split-trust/topology.yaml, examples/one-box/topology.yaml (the
runtime cases), examples/multi-model/topology.yaml (the gateway cases) or nothing, and breaks it in
one way. With --record, each file is run through `spark-gen build` and its exit code and
first stderr line are written to expected.tsv; review that diff like any golden file.
BadInputsTests checks every file against expected.tsv: the exit code, the first line, that
the line names file:line:col, and that nothing was written.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = open(os.path.join(HERE, "..", "..", "examples", "split-trust", "topology.yaml"), encoding="utf-8").read()


def replace(old, new, text=None):
    text = BASE if text is None else text
    assert old in text, old
    return text.replace(old, new, 1)


cases = {}


def case(name, content):
    assert name not in cases, name
    cases[name] = content if isinstance(content, bytes) else content.encode("utf-8")


# Truncated files: cut at many points, including mid-token and mid-flow-mapping.
for cut in (1, 7, 30, 120, 333, 600, 777, 1024, 1500, 1800):
    case(f"truncated-at-{cut}", BASE.encode("utf-8")[:cut])
# Cut inside the last quoted string, so even the tail of the file is incomplete.
reason = BASE.encode("utf-8").rindex(b"reason: \"") + 20
case(f"truncated-in-last-string", BASE.encode("utf-8")[:reason])

# Tabs.
case("tab-indented-stack", replace("  name: sparky-ai-stack", "\tname: sparky-ai-stack"))
case("tab-indented-node", replace("    owner: you\n", "\towner: you\n"))
case("tab-after-key", replace("version: 1", "version:\t\t1\nstack:\n\tname: x"))

# Encodings.
case("non-utf8-latin1", replace("user: cameron", "user: caméron").encode("utf-8").replace("é".encode("utf-8"), b"\xe9"))
case("non-utf8-stray-continuation", BASE.encode("utf-8").replace(b"tailnet: you-net", b"tailnet: you\x80net", 1))
case("non-utf8-truncated-sequence", BASE.encode("utf-8")[:200] + b"\xe2\x82")
case("bom-utf8-then-typo", b"\xef\xbb\xbf" + replace("version: 1", "versoin: 1").encode("utf-8"))
case("bom-utf16-le", "\ufeffversion: 2\n".encode("utf-16-le"))
case("nul-byte-in-value", BASE.encode("utf-8").replace(b"user: cameron", b"user: came\x00ron", 1))
case("control-character-in-value", replace("user: cameron", 'user: "came\\u0007ron"'))

# Empty and degenerate documents.
case("empty", b"")
case("only-comment", "# nothing here\n")
case("only-null", "~\n")
case("scalar-document", "just some words\n")
case("list-document", "- a\n- b\n")
case("empty-mapping", "{}\n")
case("version-only", "version: 1\n")

# Aliases and anchors.
case("alias-to-anchor", replace("  spark-02:\n    owner: client", "  spark-02: &n\n    owner: client") + "\nextra: *n\n")
case("alias-bomb", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n")
case("unknown-anchor", replace("  you:\n    tailnet: you-net", "  you:\n    tailnet: *nowhere"))
# An app's image: named for every containerised app, held to the image grammar; Hermes Agent has none.
case("app-image-hostile", replace("{open-webui: {key: {file: ~/.sparky01-open-webui.env}}}",
                                  "{open-webui: {key: {file: ~/.sparky01-open-webui.env}, image: \"open-webui; curl evil\"}}"))
case("app-digest-malformed", replace("{open-webui: {key: {file: ~/.sparky01-open-webui.env}}}",
                                     "{open-webui: {key: {file: ~/.sparky01-open-webui.env}, digest: sha256:abc}}"))
case("app-image-on-hermes", replace("n8n, hermes, {hermes-webui", "n8n, {hermes: {image: nousresearch/hermes:1.0}}, {hermes-webui"))
# The second half of a RoCE port: devices as a list, an address only where the link names the half.
case("link-hca-hostile", replace("hca: [rocep1s0f0, roceP2p1s0f0]", "hca: [rocep1s0f0, \"x;reboot\"]"))
case("link-hca-empty-list", replace("hca: [rocep1s0f0, roceP2p1s0f0]", "hca: []"))
case("second-ip-without-second-interface", replace(", second_interface: enP2p1s0f0np0", ""))
case("second-ip-without-dac", replace("    dac_ip: 198.51.100.2\n", ""))
case("merge-key", replace("  spark-02:\n", "  spark-02:\n    <<: {owner: you}\n"))

# Several documents.
case("two-documents", BASE + "---\nversion: 1\n")
case("document-end-then-more", BASE + "...\n---\nx: 1\n")

# Duplicate keys.
case("duplicate-top-level-key", BASE + "version: 1\n")
case("duplicate-node", BASE.replace("\nmodels:", "\n  spark-01:\n    owner: you\nmodels:", 1))
case("duplicate-key-in-flow-mapping", replace("{kind: dgx-spark, arch: arm64, memory_gb: 128", "{kind: dgx-spark, kind: x, arch: arm64, memory_gb: 128"))
case("duplicate-vllm-flag", replace("      max_num_seqs: 32\n", "      max_num_seqs: 32\n      max_num_seqs: 64\n"))
# Settings passed on to vLLM as JSON, and the flags vLLM 0.11.1 removed.
case("vllm-rope-scaling-retired", replace("      max_num_seqs: 32\n", "      max_num_seqs: 32\n      rope_scaling: {type: yarn, factor: 4.0}\n"))
case("vllm-hf-overrides-not-a-mapping", replace("      max_num_seqs: 32\n", "      max_num_seqs: 32\n      hf_overrides: [rope_scaling]\n"))
case("vllm-hf-overrides-null", replace("      max_num_seqs: 32\n", "      max_num_seqs: 32\n      hf_overrides: {rope_scaling: {factor: ~}}\n"))
case("vllm-speculative-config-hostile-key", replace("      max_num_seqs: 32\n", "      max_num_seqs: 32\n      speculative_config: {\"method'; rm -rf /\": ngram}\n"))
case("duplicate-owner-key", replace("    tailnet: client-net\n", "    tailnet: client-net\n    tailnet: you-net\n"))

# Unknown keys and typos.
for old, new in [("version: 1", "verison: 1"), ("  dac: {interface", "  dacc: {interface"), ("    dac_ip: 198.51.100.2", "    dac-ip: 198.51.100.2"),
                 ("    master_key: {file: ~/.sparky02-litellm-key}", "    master_kye: {file: ~/.sparky02-litellm-key}"),
                 ("      gpu_memory_utilization: 0.80", "      gpu_mem_util: 0.80"), ("    weights_gb: 68", "    weight_gb: 68")]:
    case("unknown-key-" + new.strip().split(":")[0].replace("_", "-"), replace(old, new))

# Wrong types everywhere.
wrong_types = [
    ("version: 1", "version: one"), ("version: 1", "version: [1]"), ("version: 1", "version: 2"),
    ("stack:\n  name: sparky-ai-stack", "stack: sparky-ai-stack\n  name: x"), ("  name: sparky-ai-stack", "  name: [a, b]"),
    ("  dir: ~/sparky-ai-stack", "  dir: 42"), ("  timezone: America/Los_Angeles", "  timezone: true"),
    ("owners:\n", "owners: []\nx:\n"), ("    tailnet: you-net", "    tailnet: {name: you-net}"),
    ("    master_key: {file: ~/.sparky01-litellm-key}", "    master_key: [~/.sparky01-litellm-key]"),
    ("    users: [you@example.com]", "    users: you@example.com"), ("    ssh: true", "    ssh: yes please"),
    ("    keep_members_open: true", "    keep_members_open: 1"), ("mtu: 9216", "mtu: 9216.5"), ("mtu: 9216", "mtu: \"9216\""),
    ("    user: cameron\n    hardware", "    user: 1000\n    hardware"), ("memory_gb: 128, usable_gb: 121}", "memory_gb: lots, usable_gb: 121}"),
    ("apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.sparky02-open-webui.env}}}, n8n]", "apps: litellm"), ("apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.sparky02-open-webui.env}}}, n8n]", "apps: [litellm, [n8n]]"),
    ("    weights_gb: 68", "    weights_gb: -68"), ("    port: 8000", "    port: 80.5"), ("    max_tokens: 8192", "    max_tokens: many"),
    ("      enable_prefix_caching: true", "      enable_prefix_caching: \"true\""), ("      tool_call_parser: qwen3_coder", "      tool_call_parser: [qwen3_coder]"),
    ("      default_chat_template_kwargs: {enable_thinking: false}", "      default_chat_template_kwargs: [enable_thinking]"),
    ("cluster: {head: spark-01, workers: [spark-02]", "cluster: {head: [spark-01], workers: [spark-02]"),
    ("workers: [spark-02], tensor_parallel: 2", "workers: spark-02, tensor_parallel: 2"), ("tensor_parallel: 2", "tensor_parallel: two"),
    ("    runtime:\n      kind: vllm", "    runtime:\n      kind: tgi"), ("accept_risks:\n", "accept_risks: TR001\nunused:\n"),
    ("    reason: \"you and client", "    reason: 42\n    why: \"you and client"),
]
for index, (old, new) in enumerate(wrong_types):
    case(f"wrong-type-{index:02d}", replace(old, new))

# Addresses and networks.
for key, value in [("mgmt_ip: 192.0.2.22", "fe80::22"), ("dac_ip: 198.51.100.2", "2001:db8::2"), ("dac_ip: 198.51.100.2", "198.51.100.2/30"),
                   ("mgmt_ip: 192.0.2.22", "192.0.2.22:22"), ("mgmt_ip: 192.0.2.22", "192.0.2"), ("mgmt_ip: 192.0.2.22", "192.0.2.022"),
                   ("dac_ip: 198.51.100.2", "300.51.100.2"), ("mgmt_ip: 192.0.2.22", "localhost")]:
    case("bad-address-" + value.replace(":", "_").replace("/", "_"), replace(key, key.split(":")[0] + ": " + value))
for old, new in [("subnet: 198.51.100.0/30", "subnet: 198.51.100.1/30"), ("subnet: 192.0.2.0/24", "subnet: 192.0.2.5/24"),
                 ("subnet: 198.51.100.0/30", "subnet: 198.51.100.0/33"), ("subnet: 198.51.100.0/30", "subnet: 2001:db8::/64"),
                 ("subnet: 192.0.2.0/24", "subnet: 192.0.2.0")]:
    case("bad-network-" + new.split(": ")[1].replace("/", "_").replace(":", "_"), replace(old, new))

# Ports out of range.
for old, new in [("    port: 8000", "    port: 0"), ("    port: 8000", "    port: 70000"), ("    port: 8000", "    port: -1"),
                 ("pipeline_parallel: 1}", "pipeline_parallel: 1, ray_port: 65536}"), ("mtu: 9216", "mtu: 100")]:
    case("out-of-range-" + new.strip().replace(": ", "-").replace(",", "").replace("}", "").replace(" ", "-"), replace(old, new))

# Hostile names: empty, path steps, spaces, quotes, shell syntax, newlines.
hostile = ["\"\"", "\"a/b\"", "\"..\"", "\"../evil\"", "\"spark 03\"", "\"spark'03\"", "\"$(reboot)\"", "\"`reboot`\"", "\"spark\\n03\"", "\"-rf\"", "\"SPARK-03\"", "\"x\" "]
for index, name in enumerate(hostile):
    case(f"hostile-node-name-{index:02d}", BASE.replace("\nmodels:", f"\n  {name}:\n    owner: you\nmodels:", 1))
for index, (old, new) in enumerate([
    ("    user: cameron\n    hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}\n    mgmt_ip: 192.0.2.21",
     "    user: \"$(id)\"\n    hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}\n    mgmt_ip: 192.0.2.21"),
    ("  dir: ~/sparky-ai-stack", "  dir: \"~/../../etc\""), ("  dir: ~/sparky-ai-stack", "  dir: \"~/stack; reboot\""),
    ("  dir: ~/sparky-ai-stack", "  dir: relative/path"), ("dac: {interface: enp1s0f0np0", "dac: {interface: \"enp1s0; reboot\""),
    ("dac: {interface: enp1s0f0np0", "dac: {interface: averyveryverylongname0"), ("      image: vllm-spark:26.04", "      image: \"vllm-spark:26.04 && curl evil\""),
    ("    source: Qwen/Qwen3.5-122B-A10B-GPTQ-Int4", "    source: \"Qwen/$(whoami)\""), ("    source: Qwen/Qwen3.5-122B-A10B-GPTQ-Int4", "    source: \"../../etc/passwd\""),
    ("      tool_call_parser: qwen3_coder", "      tool_call_parser: \"qwen3_coder --trust-remote-code\""), ("    tag: tag:owner", "    tag: \"tag:owner\\nrm\""),
    ("    users: [you@example.com]", "    users: [\"you@example.com\\\"]\"]"), ("    tailnet_hostname: sparky-02", "    tailnet_hostname: \"sparky-02`id`\""),
    ("  timezone: America/Los_Angeles", "  timezone: \"../../zoneinfo\""), ("    master_key: {file: ~/.sparky01-litellm-key}", "    master_key: {file: \"~/.key $(id)\"}"),
    ("    master_key: {file: ~/.sparky01-litellm-key}", "    master_key: {file: ~/.key, var: \"LITELLM_MASTER_KEY=x\"}"),
    ("      default_chat_template_kwargs: {enable_thinking: false}", "      default_chat_template_kwargs: {\"enable thinking\": false}"),
    ("  you:\n    tailnet: you-net", "  \"you/../x\":\n    tailnet: you-net"),
]):
    case(f"hostile-value-{index:02d}", replace(old, new))

# Literal secrets (never echoed back).
case("literal-master-key", replace("master_key: {file: ~/.sparky01-litellm-key}", "master_key: sk-live-0123456789abcdef"))
case("literal-db-password", replace("db_password: {file: ~/.sparky01-litellm-db.env}", "db_password: hunter2hunter2"))

# Missing sections and references.
for section in ("stack", "owners", "tailnets", "links", "nodes"):
    start = BASE.index(f"\n{section}:")
    end = BASE.index("\n\n", start + 1)
    case(f"missing-section-{section}", BASE[:start] + BASE[end:])
case("unknown-owner-reference", replace("    owner: client", "    owner: customer"))
case("unknown-head", replace("cluster: {head: spark-01", "cluster: {head: spark-09"))
case("unknown-tailnet-reference", replace("    tailnet: client-net", "    tailnet: clients-net"))

# Links: a mapping of named links, and each node's address per link.
LINKS = BASE[BASE.index("\nlinks:\n") + 1:BASE.index("  mgmt: {subnet: 192.0.2.0/24}\n") + len("  mgmt: {subnet: 192.0.2.0/24}\n")]
for name, (old, new) in {
    "links-as-list": (LINKS, "links: [dac, mgmt]\n"),
    "link-not-a-mapping": ("  mgmt: {subnet: 192.0.2.0/24}", "  mgmt: 5"),
    "link-unknown-kind": ("  mgmt: {subnet: 192.0.2.0/24}", "  mgmt: {kind: wan, subnet: 192.0.2.0/24}"),
    "link-without-kind": ("  mgmt: {subnet: 192.0.2.0/24}", "  mgmt: {subnet: 192.0.2.0/24}\n  spare: {subnet: 203.0.113.0/24}"),
    "link-lan-with-hca": ("  mgmt: {subnet: 192.0.2.0/24}", "  mgmt: {subnet: 192.0.2.0/24, hca: rocep1s0f1}"),
    "link-lan-with-second-interface": ("  mgmt: {subnet: 192.0.2.0/24}", "  mgmt: {subnet: 192.0.2.0/24, second_interface: enP2p1s0f1np1}"),
    "link-hostile-name": ("  mgmt: {subnet: 192.0.2.0/24}", "  mgmt: {subnet: 192.0.2.0/24}\n  \"../x\": {kind: lan, subnet: 203.0.113.0/24}"),
    "node-link-address-list": ("    dac_ip: 198.51.100.2", "    links: {dac: [198.51.100.2]}"),
    "node-link-unknown": ("    dac_ip: 198.51.100.2", "    links: {dacc: 198.51.100.2}"),
    "node-link-unknown-key": ("    dac_ip: 198.51.100.2", "    links: {dac: {ip: 198.51.100.2, iface: enp1s0f0np0}}"),
    "node-link-twice": ("    dac_ip: 198.51.100.2", "    dac_ip: 198.51.100.2\n    links: {dac: 198.51.100.3}"),
    "node-link-not-a-mapping": ("    dac_ip: 198.51.100.2", "    links: [dac]"),
    "dac-interface-without-ip": ("    dac_ip: 198.51.100.2", "    dac_interface: enp1s0f0np0"),
    "cluster-link-unknown": ("tensor_parallel: 2, pipeline_parallel: 1}", "tensor_parallel: 2, pipeline_parallel: 1, link: dacc}"),
    "cluster-link-lan": ("tensor_parallel: 2, pipeline_parallel: 1}", "tensor_parallel: 2, pipeline_parallel: 1, link: mgmt}"),
}.items():
    case(name, replace(old, new))
# Runtimes, from the one-box example: each runtime's own keys, and values that reach compose.
ONE_BOX = open(os.path.join(HERE, "..", "..", "examples", "one-box", "topology.yaml"), encoding="utf-8").read()
for name, (old, new) in {
    "runtime-unknown-kind": ("{kind: ollama, image:", "{kind: olama, image:"),
    "runtime-vllm-settings-on-ollama": ("    node: framework\n  qwen3-coder-llama:", "    node: framework\n    vllm: {max_model_len: 8192}\n  qwen3-coder-llama:"),
    "runtime-ollama-with-workers": ("    ollama: {context_length: 65536}\n    node: framework",
                                    "    ollama: {context_length: 65536}\n    cluster: {head: framework, workers: [framework2]}"),
    "runtime-llama-cpp-without-settings": ("      gguf: Qwen3-Coder-30B-A3B-Instruct-Q8_0.gguf\n      ctx_size: 65536\n      parallel: 2\n", ""),
    "runtime-llama-cpp-settings-empty": ("      gguf: Qwen3-Coder-30B-A3B-Instruct-Q8_0.gguf\n      ctx_size: 65536\n      parallel: 2\n", "      {}\n"),
    "runtime-gguf-not-gguf": ("gguf: Qwen3-Coder-30B-A3B-Instruct-Q8_0.gguf", "gguf: Qwen3-Coder-30B-A3B-Instruct-Q8_0.bin"),
    "runtime-gguf-path-escape": ("gguf: Qwen3-Coder-30B-A3B-Instruct-Q8_0.gguf", "gguf: ../../etc/shadow.gguf"),
    "runtime-gguf-hostile": ("gguf: Qwen3-Coder-30B-A3B-Instruct-Q8_0.gguf", "gguf: \"x.gguf; rm -rf ~\""),
    "runtime-node-and-cluster": ("    ollama: {context_length: 65536}\n    node: framework",
                                 "    ollama: {context_length: 65536}\n    node: framework\n    cluster: {head: framework}"),
    "runtime-no-placement": ("    ollama: {context_length: 65536}\n    node: framework\n",
                             "    ollama: {context_length: 65536}\n"),
    "runtime-bad-digest": ("{kind: ollama, image: ollama/ollama:0.12.6-rocm}", "{kind: ollama, image: ollama/ollama:0.12.6-rocm, digest: sha256:abc}"),
    "runtime-base-image-on-ollama": ("{kind: ollama, image: ollama/ollama:0.12.6-rocm}", "{kind: ollama, base_image: ollama/ollama:0.12.6-rocm}"),
    "runtime-compose-runner-on-llama-cpp": ("{kind: llama-cpp, image: ghcr.io/ggml-org/llama.cpp:server-vulkan-b9570}\n    node: framework\n    port: 8081",
                                            "{kind: llama-cpp, runner: compose, image: ghcr.io/ggml-org/llama.cpp:server-vulkan-b9570}\n    node: framework\n    port: 8081"),
    "runtime-unknown-start": ("    start: manual", "    start: later"),
    "runtime-ollama-source-hostile": ("    source: qwen3-coder:30b", "    source: \"qwen3-coder:30b; reboot\""),
    "runtime-ollama-source-huggingface-url": ("    source: qwen3-coder:30b", "    source: https://huggingface.co/Qwen/Qwen3-Coder"),
    "runtime-slots-zero": ("      parallel: 2", "      parallel: 0"),
    "litellm-runner-unknown": ("{litellm: {runner: compose, port: 4000}}", "{litellm: {runner: docker, port: 4000}}"),
    "litellm-image-under-systemd": ("{litellm: {runner: compose, port: 4000}}", "{litellm: {port: 4000, image: ghcr.io/berriai/litellm:main-stable}}"),
    "litellm-image-hostile": ("{litellm: {runner: compose, port: 4000}}", "{litellm: {runner: compose, port: 4000, image: \"litellm && curl evil\"}}"),
    "hardware-gpu-unknown": ("arch: amd64, gpu: amd,", "arch: amd64, gpu: intel,"),
    "salt-key-literal": ("    salt_key: {file: ~/framework/.env}", "    salt_key: sk-0123456789"),
    "fallbacks-not-a-list": ("    node: framework\n  qwen3-coder-llama:", "    node: framework\n    fallbacks: qwen3-coder-llama\n  qwen3-coder-llama:"),
    "fallbacks-unknown-model": ("    node: framework\n  qwen3-coder-llama:", "    node: framework\n    fallbacks: [qwen3-coder-lama]\n  qwen3-coder-llama:"),
    "fallbacks-hostile": ("    node: framework\n  qwen3-coder-llama:", "    node: framework\n    fallbacks: [\"x; reboot\"]\n  qwen3-coder-llama:"),
    "max-parallel-requests-zero": ("      parallel: 2\n", "      parallel: 2\n    max_parallel_requests: 0\n"),
    "senior-not-a-bool": ("    max_tokens: 2000\n", "    max_tokens: 2000\n    senior: very\n"),
    "route-unknown-model": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nroutes:\n  box/code: qwen3-cod\n"),
    "route-name-hostile": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nroutes:\n  \"box/../code\": qwen3-coder\n"),
    "tailnet-ip-outside-tailnet": ("    apps: [{litellm: {runner: compose, port: 4000}}]\n", "    apps: [{litellm: {runner: compose, port: 4000}}]\n    tailnet_ip: 192.168.1.10\n"),
    "tailnet-listen-without-key": ("      trust_remote_code: true\n", "      trust_remote_code: true\n    listen: tailnet\n"),
    "tailnet-key-literal": ("      trust_remote_code: true\n", "      trust_remote_code: true\n    listen: tailnet\n    api_key: sk-abcdef0123456789\n"),
    "backend-unknown-host": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nbackends:\n  gemma:\n    host: win\n"),
    "backend-host-off-tailnet": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nhosts:\n  win:\n    links: {}\nbackends:\n  gemma:\n    host: win\n"),
    "backend-host-without-tag": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nhosts:\n  win:\n    tailnet: home-net\nbackends:\n  gemma:\n    host: win\n"),
    "backend-named-like-model": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nhosts:\n  win:\n    tailnet: home-net\n    tag: tag:lmstudio\nbackends:\n  kimi-linear:\n    host: win\n"),
    "backend-model-hostile": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nhosts:\n  win:\n    tailnet: home-net\n    tag: tag:lmstudio\nbackends:\n  gemma:\n    host: win\n    model: \"g; rm -rf /\"\n"),
    "route-keyword-hostile": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nroutes:\n  box/code: {model: qwen3-coder, keywords: [\"$(reboot)\"]}\n"),
    "route-promotion-unknown": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nroutes:\n  box/code: {model: qwen3-coder, promote: [{over: 8192, to: qwen3-23b}]}\n"),
    "route-without-model": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nroutes:\n  box/code: {keywords: [code]}\n"),
    "text-fallbacks-unknown": ("    node: framework\n  qwen3-coder-llama:", "    node: framework\n    text_fallbacks: [kimi-linar]\n  qwen3-coder-llama:"),
    "route-shadows-model": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nroutes:\n  kimi-linear: qwen3-coder\n"),
    "ollama-context-length-zero": ("ollama: {context_length: 65536}", "ollama: {context_length: 0}"),
    # Ollama pulls by tag only; a revision that would become an option or a path is refused.
    "model-revision-on-ollama": ("    source: qwen3-coder:30b\n", "    source: qwen3-coder:30b\n    revision: main\n"),
    "model-revision-hostile": ("cannot know that commit).\n    revision: main\n", "cannot know that commit).\n    revision: \"--local-dir=/etc\"\n"),
    "ollama-settings-on-vllm": ("      trust_remote_code: true\n", "      trust_remote_code: true\n    ollama: {context_length: 8192}\n"),
    "backend-token-literal": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nhosts:\n  win:\n    tailnet: home-net\n    tag: tag:lmstudio\nbackends:\n  gemma:\n    host: win\n    api_key: sk-lm-0123456789abcdef\n"),
    "host-os-unknown": ("    max_tokens: 2000\n", "    max_tokens: 2000\n\nhosts:\n  win:\n    tailnet: home-net\n    tag: tag:lmstudio\n    os: macos\nbackends:\n  gemma:\n    host: win\n"),
}.items():
    assert old in ONE_BOX, old
    case(name, ONE_BOX.replace(old, new, 1))

# Several models and the gateway apps, from the multi-model example.
MULTI = open(os.path.join(HERE, "..", "..", "examples", "multi-model", "topology.yaml"), encoding="utf-8").read()
for name, (old, new) in {
    "redis-without-password": ("    redis_password: {file: ~/.multi-model-redis.env}\n", ""),
    "redis-password-literal": ("    redis_password: {file: ~/.multi-model-redis.env}", "    redis_password: hunter2hunter2"),
    "nginx-without-litellm": ("apps: [{litellm: {runner: compose, port: 4000}}, litellm-db, redis, nginx]", "apps: [nginx]"),
    "nginx-tls-without-key": ("litellm-db, redis, nginx]", "litellm-db, redis, {nginx: {tls: {cert: /etc/ssl/certs/spark.pem}}}]"),
    "nginx-tls-hostile-path": ("litellm-db, redis, nginx]", "litellm-db, redis, {nginx: {tls: {cert: \"/etc/ssl/x.pem; rm -rf /\", key: /etc/ssl/x.key}}}]"),
    "nginx-tls-on-redis": ("litellm-db, redis, nginx]", "litellm-db, {redis: {tls: {cert: /a.pem, key: /a.key}}}, nginx]"),
    "gpu-ids-not-a-list": ("    port: 8001\n", "    port: 8001\n    gpu_ids: 0\n"),
    "gpu-ids-negative": ("    port: 8001\n", "    port: 8001\n    gpu_ids: [-1]\n"),
    "gpu-uuids-without-ids": ("    port: 8001\n", "    port: 8001\n    gpu_uuids: [GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a]\n"),
    "gpu-uuids-count": ("    port: 8001\n", "    port: 8001\n    gpu_ids: [0]\n    gpu_uuids: [GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a, GPU-0b1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6]\n"),
    "gpu-uuid-malformed": ("    port: 8001\n", "    port: 8001\n    gpu_ids: [0]\n    gpu_uuids: [\"GPU-0; reboot\"]\n"),
    "gpu-ids-on-scripted-vllm": ("    source: openai/gpt-oss-20b\n    revision: main\n    weights_gb: 13\n    runtime: {kind: vllm, runner: compose,",
                                 "    source: openai/gpt-oss-20b\n    revision: main\n    weights_gb: 13\n    gpu_ids: [0]\n    runtime: {kind: vllm,"),
}.items():
    assert old in MULTI, old
    case(name, MULTI.replace(old, new, 1))

# A catalog of models taking turns, hosts spark-gen does not deploy to, and the speech NIMs,
# from the spark-control example.
CATALOG = open(os.path.join(HERE, "..", "..", "examples", "spark-control", "topology.yaml"), encoding="utf-8").read()
for name, (old, new) in {
    "catalog-unknown": ("    catalog: sparks\n    node: spark-1\n    vllm:\n      gpu_memory_utilization: 0.7\n      max_model_len: 131072",
                        "    catalog: spraks\n    node: spark-1\n    vllm:\n      gpu_memory_utilization: 0.7\n      max_model_len: 131072"),
    "catalog-active-not-a-member": ("    active: qwen36", "    active: qwen37"),
    "catalog-without-active": ("    active: qwen36\n", ""),
    "catalog-member-with-port": ("    catalog: sparks\n    node: spark-1\n", "    catalog: sparks\n    port: 8000\n    node: spark-1\n"),
    "catalog-member-with-start": ("    catalog: sparks\n    node: spark-1\n", "    catalog: sparks\n    start: auto\n    node: spark-1\n"),
    "catalog-two-heads": ("    cluster: {head: spark-1, workers: [spark-2], tensor_parallel: 2}", "    cluster: {head: spark-2, workers: [spark-1], tensor_parallel: 2}"),
    "catalog-panel-unknown": ("    panel: start9", "    panel: start8"),
    "catalog-panel-url-with-path": ("    panel_url: https://spark-control\n", "    panel_url: https://spark-control/v1\n"),
    "catalog-port-out-of-range": ("    port: 8888", "    port: 88888"),
    "host-on-direct-link": ("    links: {lan: 192.168.1.10}", "    links: {dac: 192.168.177.20}"),
    "host-outside-subnet": ("    links: {lan: 192.168.1.10}", "    links: {lan: 10.0.0.10}"),
    "host-without-address": ("    links: {lan: 192.168.1.10}", "    {}"),
    "host-named-like-node": ("  start9:\n    links:", "  spark-1:\n    links:"),
    "speech-without-ngc-key": ("    ngc_api_key: {file: ~/.ngc-api-key.env}\n", ""),
    "speech-ngc-key-literal": ("    ngc_api_key: {file: ~/.ngc-api-key.env}", "    ngc_api_key: nvapi-0123456789abcdef"),
    "speech-listen": ("apps: [magpie]", "apps: [{magpie: {listen: 192.168.1.52}}]"),
    "speech-client-unknown": ("apps: [magpie]", "apps: [{magpie: {clients: [start8]}}]"),
    "speech-image-hostile": ("apps: [magpie]", "apps: [{magpie: {image: \"nvcr.io/x; curl evil\"}}]"),
    "litellm-without-master-key": ("apps: [magpie]", "apps: [magpie, litellm]"),
    "load-format-hostile": ("      max_model_len: 65536\n  gemma4:", "      max_model_len: 65536\n      load_format: \"x --trust-remote-code\"\n  gemma4:"),
}.items():
    assert old in CATALOG, old
    case(name, CATALOG.replace(old, new, 1))
# The panel on a LAN the head is not on.
case("catalog-panel-off-lan", CATALOG.replace("    links: {lan: 192.168.1.10}", "    links: {office: 10.1.0.10}", 1)
     .replace("  lan: {kind: lan, subnet: 192.168.1.0/24}\n", "  lan: {kind: lan, subnet: 192.168.1.0/24}\n  office: {kind: lan, subnet: 10.1.0.0/24}\n", 1))

# Offers between owners' gateways, from the shared-gateway example.
SHARED = open(os.path.join(HERE, "..", "..", "examples", "shared-gateway", "topology.yaml"), encoding="utf-8").read()
for name, (old, new) in {
    "offer-unknown-owner": ("      - to: housemate\n", "      - to: housemat\n"),
    "offer-to-itself": ("      - to: housemate\n", "      - to: me\n"),
    "offer-model-unknown": ("        models: [gpt-oss-120b]\n", "        models: [gpt-oss-120b, qwen3-14b]\n"),
    "offer-model-not-routed": ("    db_password: {file: ~/.sg-litellm-db.env}\n",
                               "    db_password: {file: ~/.sg-litellm-db.env}\n    models: [qwen3-4b]\n"),
    "offer-no-models": ("        models: [gpt-oss-120b]\n", "        models: []\n"),
    "offer-lan-not-shared": ("    links: {home: 192.168.1.30}\n", "    links: {}\n"),
    "offer-tailnet-not-shared": ("        via: lan\n", "        via: tailnet\n"),
    "offer-via-unknown": ("        via: lan\n", "        via: wifi\n"),
    "offer-without-key": ("        key: {file: ~/.sg-offer.env}\n", ""),
    "offer-key-literal": ("        key: {file: ~/.sg-offer.env}", "        key: sk-0123456789abcdef"),
    "offer-without-database": ("    apps: [{litellm: {runner: compose, port: 4000}}, litellm-db]", "    apps: [{litellm: {runner: compose, port: 4000}}]"),
    "offer-receiver-without-litellm": ("    links: {home: 192.168.1.30}\n    apps: [litellm]\n", "    links: {home: 192.168.1.30}\n"),
    # RS013: a second offer to the same owner (one key alias), and an offer key under the
    # receiving LiteLLM's master key variable (the later env file would win).
    "offer-twice": ("        key: {file: ~/.sg-offer.env}\n",
                    "        key: {file: ~/.sg-offer.env}\n      - to: housemate\n        models: [qwen3-4b]\n"
                    "        via: lan\n        key: {file: ~/.sg-offer-2.env, var: LITELLM_OFFER_KEY_2}\n"),
    "offer-key-variable-clash": ("        key: {file: ~/.sg-offer.env}\n", "        key: {file: ~/.sg-offer.env, var: LITELLM_MASTER_KEY}\n"),
}.items():
    assert old in SHARED, old
    case(name, SHARED.replace(old, new, 1))
# RS013: offers both ways between two gateways: each would wait for the other's key.
case("offer-both-ways", SHARED
     .replace("    salt_key: {file: ~/.mate-litellm.env}\n",
              "    salt_key: {file: ~/.mate-litellm.env}\n    db_password: {file: ~/.mate-litellm-db.env}\n    offers:\n"
              "      - {to: me, models: [qwen-mate], via: lan, key: {file: ~/.mate-offer.env}}\n", 1)
     .replace("    links: {home: 192.168.1.30}\n    apps: [litellm]\n",
              "    links: {home: 192.168.1.30}\n    apps: [{litellm: {runner: compose, port: 4000}}, litellm-db]\n", 1)
     + "  qwen-mate:\n    source: Qwen/Qwen3-4B-Instruct-2507\n    revision: main\n    weights_gb: 8\n"
       "    runtime: {kind: vllm, runner: compose, base_image: vllm/vllm-openai:v0.11.2}\n    node: box3090\n    port: 8001\n"
       "    vllm: {gpu_memory_utilization: 0.80, max_model_len: 16384}\n")


def record(binary):
    rows = []
    for name in sorted(cases):
        path = os.path.join(HERE, f"{name}.yaml")
        with tempfile.TemporaryDirectory() as scratch:
            result = subprocess.run([binary, "build", f"Tests/BadInputs/{name}.yaml", "-o", os.path.join(scratch, "out")],
                                    capture_output=True, text=True, errors="replace", cwd=os.path.join(HERE, "..", ".."))
        first = result.stderr.split("\n", 1)[0]
        rows.append(f"{name}.yaml\t{result.returncode}\t{first}")
    with open(os.path.join(HERE, "expected.tsv"), "w", encoding="utf-8") as handle:
        handle.write("# file\texit code\tfirst line of the diagnostic (written by make_corpus.py --record)\n")
        handle.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    for name in list(os.listdir(HERE)):
        if name.endswith(".yaml"):
            os.remove(os.path.join(HERE, name))
    for name, content in cases.items():
        with open(os.path.join(HERE, f"{name}.yaml"), "wb") as handle:
            handle.write(content)
    if len(sys.argv) == 3 and sys.argv[1] == "--record":
        record(os.path.abspath(sys.argv[2]))
    print(f"{len(cases)} cases")
