// Generated once from examples/* (comments dropped); owned here from then on, so an edit
// of an example no longer moves a rule's examples. Each fixture lints clean (RuleExampleFixtureTests).
extension RuleExampleFixture {
    /// One AMD Framework Desktop serving an Ollama, two llama.cpp and a vLLM model behind a compose LiteLLM.
    public static let mixedBox = RuleExampleFixture(
        name: "mixed-box",
        summary: "one AMD Framework Desktop serving an Ollama, two llama.cpp and a vLLM model behind a compose LiteLLM",
        yaml: """
            version: 1

            stack:
              name: framework

            owners:
              me:
                tailnet: home-net
                master_key: {file: ~/framework/.env}
                salt_key: {file: ~/framework/.env}

            tailnets:
              home-net:
                tag: tag:framework
                users: [me@example.com]
                ssh: true

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
                ollama: {context_length: 65536}
                node: framework
              qwen3-coder-llama:
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
              kimi-linear:
                source: cyankiwi/Kimi-Linear-48B-A3B-Instruct-AWQ-4bit
                revision: main
                weights_gb: 28
                runtime: {kind: vllm, runner: compose, base_image: vllm/vllm-openai-rocm:v0.20.0}
                node: framework
                port: 8000
                vllm:
                  gpu_memory_utilization: 0.35
                  max_model_len: 65536
                  tool_call_parser: kimi_k2
                  trust_remote_code: true
              qwen3-235b:
                source: unsloth/Qwen3-235B-A22B-Instruct-2507-GGUF
                revision: main
                weights_gb: 97
                runtime: {kind: llama-cpp, image: ghcr.io/ggml-org/llama.cpp:server-vulkan-b9570}
                node: framework
                port: 8082
                start: manual
                llama_cpp:
                  gguf: UD-Q3_K_XL/Qwen3-235B-A22B-Instruct-2507-UD-Q3_K_XL-00001-of-00003.gguf
                  ctx_size: 32768
                max_tokens: 2000

            accept_risks:
              - rule: HY006
                reason: "Kimi-Linear's tokenizer is tokenization_kimi.py from the repository, read before the first download; re-read it before pulling a new revision"
              - rule: HY008
                reason: "an example: 'main' stands in for the commit whose tokenization_kimi.py was read; a lab writes that commit in 'revision'"

            """)

    /// One DGX Spark serving several vLLM models at once behind LiteLLM, Redis and NGINX.
    public static let multiModel = RuleExampleFixture(
        name: "multi-model",
        summary: "one DGX Spark serving several vLLM models at once behind LiteLLM, Redis and NGINX",
        yaml: """
            version: 1

            stack:
              name: multi-model

            owners:
              me:
                tailnet: home-net
                master_key: {file: ~/multi-model/.env}
                salt_key: {file: ~/multi-model/.env}
                db_password: {file: ~/.multi-model-db.env}
                redis_password: {file: ~/.multi-model-redis.env}

            tailnets:
              home-net:
                tag: tag:gateway
                users: [me@example.com]
                ssh: true

            links:
              lan: {kind: lan, subnet: 192.168.1.0/24}

            nodes:
              spark:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                links: {lan: 192.168.1.60}
                apps: [{litellm: {runner: compose, port: 4000}}, litellm-db, redis, nginx]

            models:
              gpt-oss-20b:
                source: openai/gpt-oss-20b
                revision: main
                weights_gb: 13
                runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                node: spark
                port: 8001
                vllm:
                  gpu_memory_utilization: 0.15
                  max_model_len: 32768
                  kv_cache_dtype: fp8
                  tool_call_parser: openai
              gpt-oss-120b:
                source: openai/gpt-oss-120b
                revision: main
                weights_gb: 61
                runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                node: spark
                port: 8002
                vllm:
                  gpu_memory_utilization: 0.55
                  max_model_len: 32768
                  kv_cache_dtype: fp8
                  tool_call_parser: openai
              qwen3-coder-30b:
                source: Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8
                revision: main
                weights_gb: 31
                runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                node: spark
                port: 8003
                start: manual
                vllm:
                  gpu_memory_utilization: 0.35
                  max_model_len: 65536
                  kv_cache_dtype: fp8
                  tool_call_parser: qwen3_coder

            """)

    /// Four GPUs on three machines behind one LiteLLM gateway with routes, fallbacks and a tailnet backend.
    public static let homelab = RuleExampleFixture(
        name: "homelab",
        summary: "four GPUs on three machines behind one LiteLLM gateway with routes, fallbacks and a tailnet backend",
        yaml: """
            version: 1

            stack:
              name: homelab

            owners:
              me:
                tailnet: lab-net
                master_key: {file: ~/homelab/.env}
                salt_key: {file: ~/homelab/.env}

            tailnets:
              lab-net:
                tag: tag:homelab
                users: [me@example.com]
                ssh: true

            hosts:
              win-5090:
                tailnet: lab-net
                tag: tag:lmstudio
                os: windows

            nodes:
              ubuntu:
                owner: me
                user: me
                hardware: {kind: workstation, arch: amd64, gpu: nvidia, memory_gb: 64, gpu_memory_gb: [16, 96]}
                apps: [{litellm: {runner: compose, port: 4000}}]
              spark:
                owner: me
                user: me
                hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
                tailnet_ip: 100.100.10.20

            models:
              qwen2.5-vl-7b:
                source: Qwen/Qwen2.5-VL-7B-Instruct-AWQ
                revision: main
                served_name: qwen2.5-vl-7b-router-awq
                weights_gb: 7
                runtime: {kind: vllm, runner: compose, base_image: vllm/vllm-openai:v0.11.2}
                node: ubuntu
                port: 8000
                gpu_ids: [0]
                vision: true
                fallbacks: [qwen3.6-35b]
                text_fallbacks: [gemma-4-31b]
                vllm:
                  quantization: awq_marlin
                  max_model_len: 32768
                  gpu_memory_utilization: 0.78
                  enable_prefix_caching: true
                  max_num_batched_tokens: 8192
                  max_num_seqs: 8
              glm-4.5-air:
                source: cpatonn/GLM-4.5-Air-AWQ
                revision: main
                served_name: glm-4.5-air-awq
                weights_gb: 64
                runtime: {kind: vllm, runner: compose, base_image: vllm/vllm-openai:v0.20.0}
                node: ubuntu
                port: 8001
                gpu_ids: [1]
                fallbacks: [gemma-4-31b, qwen3.6-35b]
                vllm:
                  quantization: compressed-tensors
                  kv_cache_dtype: turboquant_k8v4
                  max_model_len: 131072
                  gpu_memory_utilization: 0.92
                  enable_prefix_caching: true
                  max_num_batched_tokens: 8192
                  max_num_seqs: 4
                  tool_call_parser: glm45
                  reasoning_parser: glm45
              qwen3.6-35b:
                source: Qwen/Qwen3.6-35B-A3B-FP8
                revision: main
                served_name: qwen3.6-35b-a3b-fp8
                weights_gb: 36
                runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
                node: spark
                listen: tailnet
                api_key: {file: ~/.homelab-spark-vllm.env}
                senior: true
                vision: true
                vllm:
                  kv_cache_dtype: fp8
                  max_model_len: 131072
                  gpu_memory_utilization: 0.80
                  enable_chunked_prefill: true
                  enable_prefix_caching: true
                  max_num_batched_tokens: 8192

            backends:
              gemma-4-31b:
                host: win-5090
                model: gemma-4-31b
                slots: 3
                context_length: 32768
                api_key: {file: ~/.homelab-lmstudio.env}
                fallbacks: [qwen3.6-35b]

            routes:
              homelab/vision:
                model: qwen2.5-vl-7b
                keywords: [image, screenshot, ring, frigate, motion]
              homelab/fast:
                model: qwen2.5-vl-7b
                keywords: [classify, json, tags, label, summarize briefly]
                promote: [{over: 8192, to: glm-4.5-air}, {over: 24576, to: qwen3.6-35b}]
              homelab/code:
                model: glm-4.5-air
                keywords: [refactor, implement, code, fastapi, pytest]
              homelab/agent:
                model: glm-4.5-air
                keywords: [agent, multi-step, tool use, opencode, hermes]
              homelab/reasoning:
                model: qwen3.6-35b
                keywords: [architecture, trade-off, review, risk, plan]
              homelab/review: qwen3.6-35b
              homelab/chat:
                model: gemma-4-31b
                keywords: [tell me about, ask, what is, how do i, opinion]
                promote: [{over: 24576, to: qwen3.6-35b}]
              homelab/utility:
                model: gemma-4-31b
                keywords: [rewrite, clean up, format, paraphrase, polish, translate]
                promote: [{over: 24576, to: qwen3.6-35b}]
              homelab/gemma: gemma-4-31b
              homelab/auto: qwen3.6-35b

            """)
}
