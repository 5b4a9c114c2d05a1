// Generated once from examples/* (comments dropped); owned here from then on, so an edit
// of an example no longer moves a rule's examples. Each fixture lints clean (RuleExampleFixtureTests).
extension RuleExampleFixture {
    /// Two DGX Sparks serving a catalog of models one at a time for a spark-control panel on the LAN, with speech NIMs.
    public static let catalogLab = RuleExampleFixture(
        name: "catalog-lab",
        summary: "two DGX Sparks serving a catalog of models one at a time for a spark-control panel on the LAN, with speech NIMs",
        yaml: """
            version: 1

            stack:
              name: spark-control

            owners:
              me:
                tailnet: home-net
                ngc_api_key: {file: ~/.ngc-api-key.env}

            tailnets:
              home-net:
                tag: tag:spark
                users: [me@example.com]
                ssh: true

            links:
              dac: {interface: enp1s0f1np1, hca: [rocep1s0f1, roceP2p1s0f1], second_interface: enP2p1s0f1np1, subnet: 192.168.177.0/24, mtu: 9216}
              lan: {kind: lan, subnet: 192.168.1.0/24}

            hosts:
              start9:
                links: {lan: 192.168.1.10}

            nodes:
              spark-1:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                links: {dac: {ip: 192.168.177.11, second_ip: 192.168.178.11}, lan: 192.168.1.51}
                apps: [parakeet]
              spark-2:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                links: {dac: {ip: 192.168.177.12, second_ip: 192.168.178.12}, lan: 192.168.1.52}
                apps: [magpie]

            catalogs:
              sparks:
                port: 8888
                active: qwen36
                panel: start9
                panel_url: https://spark-control

            models:
              qwen36:
                source: RedHatAI/Qwen3.6-35B-A3B-NVFP4
                revision: main
                weights_gb: 22
                runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                catalog: sparks
                node: spark-1
                vllm:
                  gpu_memory_utilization: 0.7
                  max_model_len: 131072
                  enable_prefix_caching: true
                  max_num_batched_tokens: 8192
                  kv_cache_dtype: fp8
              qwen3-vl:
                source: Qwen/Qwen3-VL-30B-A3B-Instruct-FP8
                revision: main
                weights_gb: 32
                runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                catalog: sparks
                node: spark-1
                vllm:
                  gpu_memory_utilization: 0.7
                  max_model_len: 65536
              gemma4:
                source: google/gemma-4-31b-it
                revision: main
                weights_gb: 62
                runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                catalog: sparks
                node: spark-1
                vllm:
                  gpu_memory_utilization: 0.8
                  max_model_len: 32768
                  enable_prefix_caching: true
                  max_num_batched_tokens: 8192
              qwen2.5-72b:
                source: Qwen/Qwen2.5-72B-Instruct-AWQ
                revision: main
                weights_gb: 41
                runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                catalog: sparks
                node: spark-1
                vllm:
                  gpu_memory_utilization: 0.7
                  max_model_len: 32768
                  kv_cache_dtype: fp8
              qwen3-235b:
                source: nvidia/Qwen3-235B-A22B-FP4
                revision: main
                weights_gb: 126
                runtime:
                  kind: vllm
                  base_image: nvcr.io/nvidia/vllm:26.04-py3
                  image: vllm-spark:26.04
                  ray_token: {file: ~/.ray-cluster-token.env}
                catalog: sparks
                cluster: {head: spark-1, workers: [spark-2], tensor_parallel: 2}
                vllm:
                  gpu_memory_utilization: 0.75
                  max_model_len: 32768
                  enable_prefix_caching: true
                  max_num_batched_tokens: 8192
                  kv_cache_dtype: fp8

            """)

    /// Two owners on one home LAN: one offers a model through its LiteLLM to the other's.
    public static let sharedGateway = RuleExampleFixture(
        name: "shared-gateway",
        summary: "two owners on one home LAN: one offers a model through its LiteLLM to the other's",
        yaml: """
            version: 1

            stack:
              name: shared-gateway

            owners:
              me:
                tailnet: me-net
                master_key: {file: ~/.sg-litellm.env}
                salt_key: {file: ~/.sg-litellm.env}
                db_password: {file: ~/.sg-litellm-db.env}
                offers:
                  - to: housemate
                    models: [gpt-oss-120b]
                    via: lan
                    key: {file: ~/.sg-offer.env}
              housemate:
                tailnet: house-net
                master_key: {file: ~/.mate-litellm.env}
                salt_key: {file: ~/.mate-litellm.env}

            tailnets:
              me-net:
                tag: tag:me-gpu
                users: [me@example.com]
                ssh: true
              house-net:
                tag: tag:house-gpu
                users: [housemate@example.com]
                ssh: true

            links:
              home: {kind: lan, subnet: 192.168.1.0/24}

            nodes:
              workstation:
                owner: me
                user: me
                hardware: {kind: workstation, arch: amd64, gpu: nvidia, memory_gb: 64, gpu_memory_gb: [16]}
                links: {home: 192.168.1.10}
                apps: [{litellm: {runner: compose, port: 4000}}, litellm-db]
              spark:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                links: {home: 192.168.1.20}
              box3090:
                owner: housemate
                user: housemate
                hardware: {kind: workstation, arch: amd64, gpu: nvidia, memory_gb: 32, gpu_memory_gb: [24]}
                links: {home: 192.168.1.30}
                apps: [litellm]

            models:
              gpt-oss-120b:
                source: openai/gpt-oss-120b
                revision: main   # follows the branch; write the commit you reviewed to pin it (HY007)
                weights_gb: 61
                runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                node: spark
                port: 8000
                vllm:
                  gpu_memory_utilization: 0.60
                  max_model_len: 32768
                  kv_cache_dtype: fp8
                  tool_call_parser: openai
              qwen3-4b:
                source: Qwen/Qwen3-4B-Instruct-2507
                revision: main   # follows the branch; write the commit you reviewed to pin it (HY007)
                weights_gb: 8
                runtime: {kind: vllm, runner: compose, base_image: vllm/vllm-openai:v0.11.2}
                node: workstation
                port: 8001
                vllm:
                  gpu_memory_utilization: 0.80
                  max_model_len: 16384

            """)

    /// Three DGX Sparks of one owner cabled with two direct links.
    public static let twoLinks = RuleExampleFixture(
        name: "two-links",
        summary: "three DGX Sparks of one owner cabled with two direct links",
        yaml: """
            version: 1

            stack:
              name: rack-lab

            owners:
              lab:
                tailnet: lab-net
                master_key: {file: ~/.lab-litellm.env}
                salt_key: {file: ~/.lab-litellm.env}
                db_password: {file: ~/.lab-litellm-db.env}

            tailnets:
              lab-net:
                tag: tag:rack-lab
                users: [ops@example.com]
                ssh: true

            links:
              dac-ab: {kind: direct, interface: enp1s0f0np0, hca: [rocep1s0f0, roceP2p1s0f0], second_interface: enP2p1s0f0np0, subnet: 198.51.100.0/30, mtu: 9216}
              dac-ac: {kind: direct, interface: enp1s0f1np1, hca: rocep1s0f1, subnet: 198.51.100.4/30, mtu: 9216}
              mgmt: {kind: lan, subnet: 192.0.2.0/24}

            nodes:
              spark-a:
                owner: lab
                user: ops
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                links: {mgmt: 192.0.2.41, dac-ab: {ip: 198.51.100.1, second_ip: 198.51.100.9}, dac-ac: 198.51.100.5}
                apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.lab-open-webui.env}}}]
              spark-b:
                owner: lab
                user: ops
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                links: {mgmt: 192.0.2.42, dac-ab: {ip: 198.51.100.2, second_ip: 198.51.100.10}}
              spark-c:
                owner: lab
                user: ops
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                links:
                  mgmt: 192.0.2.43
                  dac-ac: {ip: 198.51.100.6, interface: enp1s0f0np0, hca: rocep1s0f0}

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
                cluster: {head: spark-a, workers: [spark-b], tensor_parallel: 2, pipeline_parallel: 1}
                port: 8000
                vllm:
                  gpu_memory_utilization: 0.80
                  max_model_len: 65536
                  tool_call_parser: qwen3_coder
              qwen3-30b:
                source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8
                revision: main
                weights_gb: 32
                runtime:
                  kind: vllm
                  base_image: nvcr.io/nvidia/vllm:26.04-py3
                  image: vllm-spark:26.04
                cluster: {head: spark-c, tensor_parallel: 1}
                port: 8002
                vllm:
                  gpu_memory_utilization: 0.60
                  max_model_len: 32768
                  tool_call_parser: hermes

            """)
}
