// The minimal bases: one owner, one node, one model, and the smallest pair and split of it.
// A rule's example adds the few lines it is about; each base lints clean (RuleExampleFixtureTests).
extension RuleExampleFixture {
    /// One DGX Spark, one owner, one vLLM model behind its LiteLLM.
    public static let oneSpark = RuleExampleFixture(
        name: "one-spark",
        summary: "one DGX Spark, one owner, one vLLM model behind its LiteLLM",
        yaml: header(stack: "solo", [Owner(name: "me", tailnet: "me-net", tag: "tag:solo", keys: "~/.me-litellm.env")])
            + """
            nodes:
              spark:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                apps: [litellm]

            models:
              qwen3-30b:
                source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8
                revision: main
                weights_gb: 32
                runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                node: spark
                port: 8000
                vllm:
                  gpu_memory_utilization: 0.80
                  max_model_len: 32768

            """)

    /// Two DGX Sparks of one owner on a DAC cable, one TP=2 vLLM model across them.
    public static let sparkPair = RuleExampleFixture(
        name: "spark-pair",
        summary: "two DGX Sparks of one owner on a DAC cable, one TP=2 vLLM model across them",
        yaml: header(stack: "pair", [Owner(name: "me", tailnet: "me-net", tag: "tag:pair", keys: "~/.me-litellm.env")])
            + """
            links:
              dac: {interface: enp1s0f0np0, hca: [rocep1s0f0, roceP2p1s0f0], second_interface: enP2p1s0f0np0, subnet: 198.51.100.0/30, mtu: 9216}
              mgmt: {subnet: 192.0.2.0/24}

            nodes:
              spark-01:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                mgmt_ip: 192.0.2.21
                dac_ip: 198.51.100.1
                dac_second_ip: 198.51.100.9
                apps: [litellm]
              spark-02:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                mgmt_ip: 192.0.2.22
                dac_ip: 198.51.100.2
                dac_second_ip: 198.51.100.10

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
                cluster: {head: spark-01, workers: [spark-02], tensor_parallel: 2}
                port: 8000
                vllm:
                  gpu_memory_utilization: 0.80
                  max_model_len: 65536

            """)

    /// Two owners on one LAN, each with a DGX Spark, a vLLM model, a LiteLLM and a tailnet of their own.
    public static let twoOwners = RuleExampleFixture(
        name: "two-owners",
        summary: "two owners on one LAN, each with a DGX Spark, a vLLM model, a LiteLLM and a tailnet of their own",
        yaml: header(
            stack: "shared",
            [
                Owner(name: "you", tailnet: "you-net", tag: "tag:you", keys: "~/.you-litellm.env"),
                Owner(name: "client", tailnet: "client-net", tag: "tag:client", keys: "~/.client-litellm.env"),
            ])
                + """
                links:
                  home: {kind: lan, subnet: 192.168.1.0/24}

                nodes:
                  spark-01:
                    owner: you
                    user: you
                    hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                    links: {home: 192.168.1.21}
                    apps: [litellm]
                  spark-02:
                    owner: client
                    user: client
                    hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                    links: {home: 192.168.1.22}
                    apps: [litellm]

                models:
                  qwen3-30b:
                    source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8
                    revision: main
                    weights_gb: 32
                    runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                    node: spark-01
                    port: 8000
                    vllm: {gpu_memory_utilization: 0.80, max_model_len: 32768}
                  qwen3-4b:
                    source: Qwen/Qwen3-4B-Instruct-2507
                    revision: main
                    weights_gb: 8
                    runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                    node: spark-02
                    port: 8000
                    vllm: {gpu_memory_utilization: 0.30, max_model_len: 32768}

                """)
}
