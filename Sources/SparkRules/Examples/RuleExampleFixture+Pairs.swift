// Generated once from examples/* (comments dropped); owned here from then on, so an edit
// of an example no longer moves a rule's examples. Each fixture lints clean (RuleExampleFixtureTests).
extension RuleExampleFixture {
    /// Two DGX Sparks of two owners (you, client), each with its own LiteLLM and tailnet, sharing one TP=2 vLLM cluster over a DAC link (TR001 accepted).
    public static let twoOwnerLab = RuleExampleFixture(
        name: "two-owner-lab",
        summary:
            "two DGX Sparks of two owners (you, client), each with its own LiteLLM and tailnet, sharing one TP=2 vLLM cluster over a DAC link (TR001 accepted)",
        yaml: """
            version: 1

            stack:
              name: sparky-ai-stack
              dir: ~/sparky-ai-stack
              timezone: America/Los_Angeles

            owners:
              you:
                tailnet: you-net
                master_key: {file: ~/.sparky01-litellm-key}
                salt_key: {file: ~/.sparky01-litellm-key}
                db_password: {file: ~/.sparky01-litellm-db.env}
              client:
                tailnet: client-net
                master_key: {file: ~/.sparky02-litellm-key}
                salt_key: {file: ~/.sparky02-litellm-key}
                db_password: {file: ~/.sparky02-litellm-db.env}

            tailnets:
              you-net:
                tag: tag:owner
                users: [you@example.com]
                ssh: true
              client-net:
                tag: tag:hjp-ai
                users: [client@example.com]
                keep_members_open: true
                keep_open_tags: [tag:hjp-dell-server]

            links:
              dac: {interface: enp1s0f0np0, hca: [rocep1s0f0, roceP2p1s0f0], second_interface: enP2p1s0f0np0, subnet: 198.51.100.0/30, mtu: 9216}
              mgmt: {subnet: 192.0.2.0/24}

            nodes:
              spark-01:
                owner: you
                user: cameron
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                mgmt_ip: 192.0.2.21
                dac_ip: 198.51.100.1
                dac_second_ip: 198.51.100.9
                apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.sparky01-open-webui.env}}}, n8n, hermes, {hermes-webui: {password: {file: ~/.sparky01-hermes-webui.env}}}]
              spark-02:
                owner: client
                user: cameron
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                mgmt_ip: 192.0.2.22
                dac_ip: 198.51.100.2
                dac_second_ip: 198.51.100.10
                tailnet_hostname: sparky-02
                apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.sparky02-open-webui.env}}}, n8n]

            models:
              qwen3.5-122b:
                source: Qwen/Qwen3.5-122B-A10B-GPTQ-Int4
                revision: main
                weights_gb: 68
                runtime:
                  kind: vllm
                  base_image: nvcr.io/nvidia/vllm:26.04-py3
                  image: vllm-spark:26.04
                  ray_token: {file: ~/.ray-cluster-token.env}
                cluster: {head: spark-01, workers: [spark-02], tensor_parallel: 2, pipeline_parallel: 1}
                port: 8000
                max_tokens: 8192
                vllm:
                  gpu_memory_utilization: 0.80
                  max_model_len: 65536
                  max_num_batched_tokens: 4096
                  max_num_seqs: 32
                  enable_prefix_caching: true
                  enable_chunked_prefill: true
                  tool_call_parser: qwen3_coder
                  reasoning_parser: qwen3
                  default_chat_template_kwargs: {enable_thinking: false}

            accept_risks:
              - rule: TR001
                reason: "you and client share one TP=2 cluster under a written agreement; no regulated data is sent"

            """)

    /// One DGX Spark on its own, on no LAN: vLLM on loopback behind LiteLLM, reached over its tailnet.
    public static let soloSpark = RuleExampleFixture(
        name: "solo-spark",
        summary: "one DGX Spark on its own, on no LAN: vLLM on loopback behind LiteLLM, reached over its tailnet",
        yaml: """
            version: 1

            stack:
              name: solo

            owners:
              me:
                tailnet: home-net
                master_key: {file: ~/.solo-litellm.env}
                salt_key: {file: ~/.solo-litellm.env}
                db_password: {file: ~/.solo-litellm-db.env}

            tailnets:
              home-net:
                tag: tag:solo-spark
                users: [me@example.com]
                ssh: true

            nodes:
              spark:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.solo-open-webui.env}}}]

            models:
              qwen3-30b:
                source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8
                revision: main
                weights_gb: 32
                runtime:
                  kind: vllm
                  base_image: nvcr.io/nvidia/vllm:26.04-py3
                  image: vllm-spark:26.04
                cluster: {head: spark, tensor_parallel: 1}
                vllm:
                  gpu_memory_utilization: 0.80
                  max_model_len: 32768
                  tool_call_parser: hermes

            """)

    /// Three GPU nodes of two owners on one DAC switch: alice's TP=2 model on gpu-a and gpu-b, bob's model on gpu-c.
    public static let sharedSwitch = RuleExampleFixture(
        name: "shared-switch",
        summary: "three GPU nodes of two owners on one DAC switch: alice's TP=2 model on gpu-a and gpu-b, bob's model on gpu-c",
        yaml: """
            version: 1

            stack:
              name: gpu-lab

            owners:
              alice:
                tailnet: alice-net
                master_key: {file: ~/.alice-litellm.env}
                salt_key: {file: ~/.alice-litellm.env}
                db_password: {file: ~/.alice-litellm-db.env}
              bob:
                tailnet: bob-net
                master_key: {file: ~/.bob-litellm.env}
                salt_key: {file: ~/.bob-litellm.env}

            tailnets:
              alice-net:
                tag: tag:alice-gpu
                users: [alice@example.com]
                ssh: true
              bob-net:
                tag: tag:bob-gpu
                users: [bob@example.com]

            links:
              dac: {kind: fabric, interface: enp1s0f0np0, hca: [rocep1s0f0, roceP2p1s0f0], second_interface: enP2p1s0f0np0, subnet: 198.51.100.0/29, mtu: 9216}
              mgmt: {subnet: 192.0.2.0/24}

            nodes:
              gpu-a:
                owner: alice
                user: alice
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                mgmt_ip: 192.0.2.31
                dac_ip: 198.51.100.1
                dac_second_ip: 198.51.100.9
                apps: [litellm, litellm-db, open-webui]
              gpu-b:
                owner: alice
                user: alice
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                mgmt_ip: 192.0.2.32
                dac_ip: 198.51.100.2
                dac_second_ip: 198.51.100.10
              gpu-c:
                owner: bob
                user: bob
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                mgmt_ip: 192.0.2.33
                dac_ip: 198.51.100.3
                dac_second_ip: 198.51.100.11
                apps: [litellm, open-webui]

            models:
              qwen3.5-122b:
                source: Qwen/Qwen3.5-122B-A10B-GPTQ-Int4
                revision: main
                weights_gb: 68
                runtime:
                  kind: vllm
                  base_image: nvcr.io/nvidia/vllm:26.04-py3
                  image: vllm-spark:26.04
                  ray_token: {file: ~/.ray-cluster-token.env}
                cluster: {head: gpu-a, workers: [gpu-b], tensor_parallel: 2, pipeline_parallel: 1}
                port: 8000
                vllm:
                  gpu_memory_utilization: 0.80
                  max_model_len: 65536
              qwen3-30b:
                source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8
                revision: main
                weights_gb: 32
                runtime:
                  kind: vllm
                  base_image: nvcr.io/nvidia/vllm:26.04-py3
                  image: vllm-spark:26.04
                cluster: {head: gpu-c, tensor_parallel: 1}
                port: 8002
                vllm:
                  gpu_memory_utilization: 0.60
                  max_model_len: 32768

            """)
}
