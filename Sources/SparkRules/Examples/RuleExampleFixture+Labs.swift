// Bases for rules that need another machine, a catalog or a gateway with routes; each holds only
// what those rules read, and lints clean (RuleExampleFixtureTests).
extension RuleExampleFixture {
    /// One AMD Framework Desktop serving a model with each runtime (Ollama, llama.cpp, vLLM) behind LiteLLM.
    public static let amdBox = RuleExampleFixture(
        name: "amd-box",
        summary: "one AMD Framework Desktop serving a model with each runtime (Ollama, llama.cpp, vLLM) behind LiteLLM",
        yaml: header(stack: "framework", [Owner(name: "me", tailnet: "me-net", tag: "tag:framework", keys: "~/.me-litellm.env")])
            + """
            nodes:
              framework:
                owner: me
                user: me
                hardware: {kind: framework-desktop, arch: amd64, gpu: amd, memory_gb: 128, usable_gb: 120}
                apps: [{litellm: {runner: compose, port: 4000}}]

            models:
              qwen3-coder:
                source: qwen3-coder:30b
                weights_gb: 19
                runtime: {kind: ollama, image: ollama/ollama:0.12.6-rocm}
                node: framework
              qwen3-coder-gguf:
                source: unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF
                revision: main
                weights_gb: 33
                runtime: {kind: llama-cpp, image: ghcr.io/ggml-org/llama.cpp:server-vulkan-b9570}
                node: framework
                port: 8081
                llama_cpp:
                  gguf: Qwen3-Coder-30B-A3B-Instruct-Q8_0.gguf
                  ctx_size: 65536
                  parallel: 2
              qwen3-4b:
                source: Qwen/Qwen3-4B-Instruct-2507
                revision: main
                weights_gb: 8
                runtime: {kind: vllm, runner: compose, base_image: vllm/vllm-openai-rocm:v0.20.0}
                node: framework
                port: 8000
                vllm: {gpu_memory_utilization: 0.20, max_model_len: 32768}

            """)

    /// Two DGX Sparks taking turns on a catalog of two models, swapped from a panel on the LAN.
    public static let catalog = RuleExampleFixture(
        name: "catalog",
        summary: "two DGX Sparks taking turns on a catalog of two models, swapped from a panel on the LAN",
        yaml: header(stack: "catalog", [Owner(name: "me", tailnet: "me-net", tag: "tag:catalog")])
            + """
            links:
              dac: {interface: enp1s0f1np1, hca: [rocep1s0f1, roceP2p1s0f1], second_interface: enP2p1s0f1np1, subnet: 192.168.177.0/24, mtu: 9216}
              lan: {kind: lan, subnet: 192.168.1.0/24}

            hosts:
              panel:
                links: {lan: 192.168.1.10}

            nodes:
              spark-1:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                links: {dac: {ip: 192.168.177.11, second_ip: 192.168.178.11}, lan: 192.168.1.51}
              spark-2:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                links: {dac: {ip: 192.168.177.12, second_ip: 192.168.178.12}, lan: 192.168.1.52}

            catalogs:
              sparks:
                port: 8888
                active: qwen36
                panel: panel

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
                  max_model_len: 65536
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
                vllm: {gpu_memory_utilization: 0.75, max_model_len: 32768}

            """)

    /// A LiteLLM gateway on a workstation with a model of its own and a Spark's model over the tailnet, with routes.
    public static let gateway = RuleExampleFixture(
        name: "gateway",
        summary: "a LiteLLM gateway on a workstation with a model of its own and a Spark's model over the tailnet, with routes",
        yaml: header(stack: "homelab", [Owner(name: "me", tailnet: "lab-net", tag: "tag:homelab", keys: "~/.lab-litellm.env")])
            + """
            nodes:
              ubuntu:
                owner: me
                user: me
                hardware: {kind: workstation, arch: amd64, gpu: nvidia, memory_gb: 64, gpu_memory_gb: [96]}
                apps: [{litellm: {runner: compose, port: 4000}}]
              spark:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                tailnet_ip: 100.100.10.20

            models:
              glm-4.5-air:
                source: cpatonn/GLM-4.5-Air-AWQ
                revision: main
                weights_gb: 64
                runtime: {kind: vllm, runner: compose, base_image: vllm/vllm-openai:v0.20.0}
                node: ubuntu
                port: 8001
                vllm:
                  max_model_len: 131072
                  gpu_memory_utilization: 0.92
                  tool_call_parser: glm45
              qwen3.6-35b:
                source: Qwen/Qwen3.6-35B-A3B-FP8
                revision: main
                weights_gb: 36
                runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                node: spark
                listen: tailnet
                api_key: {file: ~/.lab-spark-vllm.env}
                vllm: {gpu_memory_utilization: 0.80, max_model_len: 131072}

            routes:
              homelab/code:
                model: glm-4.5-air
                keywords: [refactor, implement, code]
              homelab/review: qwen3.6-35b

            """)
}
