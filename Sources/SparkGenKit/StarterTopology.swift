import FoundationEssentials

/// The commented topologies `spark-gen init` writes: valid and lint-clean as written, with
/// every value the user must make their own marked `# CHANGE`.
public enum StarterTopology: String, CaseIterable, Sendable {
    /// Two DGX Sparks of two owners sharing one TP=2 model over a DAC cable.
    case pair
    /// One box, no links: a model, LiteLLM and Open WebUI, reached over the tailnet.
    case oneBox = "one-box"
    /// Three nodes of two owners on one switch: a TP=2 model and a single-node model.
    case lab
    /// One box: LiteLLM in compose in front of Ollama and llama.cpp, each its own service.
    case gateway
    /// Two Sparks taking turns on a catalog of models, swapped from a spark-control panel.
    case catalog
    /// A gateway on a workstation in front of unlike GPUs, a Spark over the tailnet and an external backend.
    case homelab
    /// Two owners on one home LAN: a workstation's gateway and a Spark, a housemate's box with its own gateway.
    case sharedHomelab = "shared-homelab"

    public var summary: String {
        switch self {
        case .pair: return "two DGX Sparks of two owners sharing one TP=2 model over a DAC cable"
        case .oneBox: return "one box with no links: a model, LiteLLM and Open WebUI, reached over the tailnet"
        case .lab: return "three nodes of two owners on one switch: a TP=2 model and a single-node model"
        case .gateway: return "one box: LiteLLM run by compose in front of Ollama and llama.cpp, each its own service"
        case .catalog: return "two DGX Sparks taking turns on a catalog of models, swapped from a spark-control panel on the LAN"
        case .homelab: return "a gateway on a two-GPU workstation, a Spark over the tailnet and LM Studio, with fallbacks and route names"
        case .sharedHomelab:
            return "two owners on one home LAN: your workstation's gateway and Spark, a housemate's box with its own gateway, LM Studio as a fallback"
        }
    }

    /// Where editors find the schema; a copy in the spark-gen repository is schemas/topology.schema.json.
    static let schemaLine = "# yaml-language-server: $schema=https://spark-gen.dev/schemas/topology.schema.json\n"

    static let header = """
        #
        # Written by 'spark-gen init'. Change every value marked '# CHANGE', then run
        #   spark-gen lint topology.yaml     (the rules, nothing written)
        #   spark-gen build topology.yaml    (every file, under out/)
        # Secrets are never written here: each '{file: …}' names a file on the node that the
        # runbook creates. Values left out take the defaults listed in the output's README.

        """

    public var text: String { Self.schemaLine + Self.header + body }

    private var body: String {
        switch self {
        case .pair: return Self.pairBody
        case .oneBox: return Self.oneBoxBody
        case .lab: return Self.labBody
        case .gateway: return Self.gatewayBody
        case .catalog: return Self.catalogBody
        case .homelab: return Self.homelabBody
        case .sharedHomelab: return Self.sharedHomelabBody
        }
    }

    private static let pairBody = """
        version: 1

        stack:
          name: spark-pair                      # CHANGE: names the output and the stack directory
          timezone: Etc/UTC                     # CHANGE: for n8n

        owners:
          you:                                  # CHANGE: an owner per party; each gets its own LiteLLM and keys
            tailnet: you-net
            master_key: {file: ~/.you-litellm-key}
            salt_key: {file: ~/.you-litellm-key}
            db_password: {file: ~/.you-litellm-db.env}
          client:
            tailnet: client-net
            master_key: {file: ~/.client-litellm-key}
            salt_key: {file: ~/.client-litellm-key}
            db_password: {file: ~/.client-litellm-db.env}

        tailnets:
          you-net:
            tag: tag:you-spark                  # CHANGE: the tag your node advertises
            users: [you@example.com]            # CHANGE: who reaches your apps
            ssh: true
          client-net:
            tag: tag:client-spark               # CHANGE
            users: [client@example.com]         # CHANGE

        links:
          # CHANGE: the DAC cable's interfaces and RDMA devices ('ibdev2netdev' lists the pairs): a
          # Spark's port is two PCIe halves, and NCCL gets both devices for the link's full width.
          dac: {interface: enp1s0f0np0, hca: [rocep1s0f0, roceP2p1s0f0], second_interface: enP2p1s0f0np0, subnet: 198.51.100.0/30, mtu: 9216}
          mgmt: {subnet: 192.0.2.0/24}          # CHANGE: your LAN

        nodes:
          spark-01:                             # CHANGE: the host names
            owner: you
            user: ubuntu                        # CHANGE: the login that runs the stack
            hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
            mgmt_ip: 192.0.2.21                 # CHANGE
            dac_ip: 198.51.100.1
            dac_second_ip: 198.51.100.9         # the port's other half, on a subnet of its own
            apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.you-open-webui.env}}}]
          spark-02:
            owner: client
            user: ubuntu                        # CHANGE
            hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
            mgmt_ip: 192.0.2.22                 # CHANGE
            dac_ip: 198.51.100.2
            dac_second_ip: 198.51.100.10
            apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.client-open-webui.env}}}]

        models:
          qwen3.5-122b:                         # CHANGE: the model both nodes serve together
            source: Qwen/Qwen3.5-122B-A10B-GPTQ-Int4
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 68
            runtime:
              kind: vllm
              base_image: nvcr.io/nvidia/vllm:26.04-py3
              image: vllm-spark:26.04
              ray_token: {file: ~/.ray-cluster-token.env}
            cluster: {head: spark-01, workers: [spark-02], tensor_parallel: 2}
            vllm:
              gpu_memory_utilization: 0.80
              max_model_len: 65536
              tool_call_parser: qwen3_coder

        # Both owners' nodes run ranks of one model: each can read the other's prompts, and the
        # Ray nodes can run code on each other. Say why that is acceptable, or give each owner
        # a model of their own. 'spark-gen explain TR001' says more.
        accept_risks:
          - rule: TR001
            reason: "CHANGE: the agreement under which you and client share one cluster"

        """

    private static let oneBoxBody = """
        version: 1

        stack:
          name: solo                            # CHANGE: names the output and the stack directory

        owners:
          me:
            tailnet: home-net
            master_key: {file: ~/.solo-litellm-key}
            salt_key: {file: ~/.solo-litellm-key}
            db_password: {file: ~/.solo-litellm-db.env}

        tailnets:
          home-net:
            tag: tag:solo-box                   # CHANGE: the tag the box advertises
            users: [me@example.com]             # CHANGE: who reaches the apps
            ssh: true                           # the box is on no LAN here: ssh comes over the tailnet

        # No 'links': the box is reached over the tailnet only. To allow ssh from your LAN too,
        # add  links: {home: {kind: lan, subnet: 192.168.1.0/24}}  and, under the node,
        # links: {home: 192.168.1.50}.

        nodes:
          spark:                                # CHANGE: the host name
            owner: me
            user: ubuntu                        # CHANGE: the login that runs the stack
            hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}   # CHANGE
            apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.solo-open-webui.env}}}]

        models:
          qwen3-30b:                            # CHANGE: the model to serve
            source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
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

        """

    private static let gatewayBody = """
        version: 1

        stack:
          name: gateway                         # CHANGE: names the output and the stack directory

        owners:
          me:
            tailnet: home-net
            # One file holds both keys: the runbook creates it 0640 root:docker with random values.
            master_key: {file: ~/gateway/.env}
            salt_key: {file: ~/gateway/.env}

        tailnets:
          home-net:
            tag: tag:gateway                    # CHANGE: the tag the box advertises
            users: [me@example.com]             # CHANGE: who reaches LiteLLM
            ssh: true

        links:
          home: {kind: lan, subnet: 192.168.1.0/24}   # CHANGE: the LAN ssh may come from

        nodes:
          box:                                  # CHANGE: the host name
            owner: me
            user: ubuntu                        # CHANGE: the login that runs the stack
            hardware: {kind: generic, arch: amd64, gpu: nvidia, memory_gb: 64, usable_gb: 56}   # CHANGE
            links: {home: 192.168.1.50}         # CHANGE
            apps: [{litellm: {runner: compose, port: 4000}}]

        # Each model name is one backend; LiteLLM never falls back to another model.
        models:
          qwen3:                                # CHANGE: the models to serve
            source: qwen3:8b                    # what 'ollama pull' fetches
            weights_gb: 6
            runtime: {kind: ollama, image: ollama/ollama:0.12.6}
            node: box
          qwen3-coder:
            source: unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 19
            runtime: {kind: llama-cpp, image: ghcr.io/ggml-org/llama.cpp:server-cuda-b6700}
            node: box
            port: 8081
            llama_cpp: {gguf: Qwen3-Coder-30B-A3B-Instruct-Q4_K_M.gguf, ctx_size: 32768, parallel: 2}

        """

    private static let catalogBody = """
        version: 1

        stack:
          name: sparks                          # CHANGE: names the output and the stack directory

        owners:
          me:
            tailnet: home-net

        tailnets:
          home-net:
            tag: tag:spark                      # CHANGE: the tag the Sparks advertise
            users: [me@example.com]             # CHANGE: who may ssh in over the tailnet
            ssh: true

        links:
          # CHANGE: the cable's port; its two PCIe halves, both for NCCL.
          dac: {interface: enp1s0f1np1, hca: [rocep1s0f1, roceP2p1s0f1], second_interface: enP2p1s0f1np1, subnet: 192.168.177.0/24, mtu: 9216}
          lan: {kind: lan, subnet: 192.168.1.0/24}   # CHANGE: the LAN the panel is on

        hosts:
          panel:                                # CHANGE: the machine running spark-control
            links: {lan: 192.168.1.10}          # CHANGE: its address; the only LAN host admitted to the models

        nodes:
          spark-1:
            owner: me
            user: me                            # CHANGE: the login that runs the stack
            hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
            links: {dac: {ip: 192.168.177.11, second_ip: 192.168.178.11}, lan: 192.168.1.51}   # CHANGE
          spark-2:
            owner: me
            user: me                            # CHANGE
            hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
            links: {dac: {ip: 192.168.177.12, second_ip: 192.168.178.12}, lan: 192.168.1.52}   # CHANGE

        # One model runs at a time on port 8888: scripts/swap.sh MODEL on spark-1 swaps it.
        catalogs:
          sparks:
            port: 8888
            active: qwen3-30b                   # CHANGE: the model that runs now
            panel: panel

        models:
          qwen3-30b:                            # CHANGE: the models to take turns
            source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 32
            runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}
            catalog: sparks
            node: spark-1
            vllm:
              gpu_memory_utilization: 0.70
              max_model_len: 65536
          gpt-oss-120b:
            source: openai/gpt-oss-120b
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 61
            runtime:
              kind: vllm
              base_image: nvcr.io/nvidia/vllm:26.04-py3
              image: vllm-spark:26.04
              ray_token: {file: ~/.ray-cluster-token.env}
            catalog: sparks
            cluster: {head: spark-1, workers: [spark-2], tensor_parallel: 2}
            vllm:
              gpu_memory_utilization: 0.70
              max_model_len: 65536
              tool_call_parser: openai

        """

    private static let homelabBody = """
        version: 1

        stack:
          name: homelab                         # CHANGE: names the output and the stack directory

        owners:
          me:
            tailnet: lab-net
            master_key: {file: ~/homelab/.env}
            salt_key: {file: ~/homelab/.env}

        tailnets:
          lab-net:
            tag: tag:homelab                    # CHANGE: the tag the machines advertise
            users: [me@example.com]             # CHANGE: who reaches the gateway
            ssh: true

        hosts:
          win-box:                              # CHANGE: a machine running LM Studio, on the tailnet
            tailnet: lab-net
            tag: tag:lmstudio                   # CHANGE: the tag it advertises

        nodes:
          workstation:                          # CHANGE: the machine running the gateway
            owner: me
            user: me                            # CHANGE
            hardware: {kind: workstation, arch: amd64, gpu: nvidia, memory_gb: 64, gpu_memory_gb: [24]}   # CHANGE: each GPU's memory
            apps: [{litellm: {runner: compose, port: 4000}}]
          spark:
            owner: me
            user: me                            # CHANGE
            hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
            tailnet_ip: 100.100.10.20           # CHANGE: its address in the Tailscale admin console

        models:
          coder:                                # CHANGE: the models to serve
            source: Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 16
            runtime: {kind: vllm, runner: compose, base_image: vllm/vllm-openai:v0.11.2}
            node: workstation
            port: 8000
            gpu_ids: [0]
            fallbacks: [chat, senior]           # busy (past its slots) or down: these answer, in order
            vllm: {gpu_memory_utilization: 0.90, max_model_len: 32768, max_num_seqs: 4, tool_call_parser: qwen3_coder}
          senior:
            source: Qwen/Qwen3.6-35B-A3B-FP8
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 36
            runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
            node: spark
            listen: tailnet                     # the gateway calls it over the tailnet, with its key
            api_key: {file: ~/.homelab-spark-vllm.env}
            # Or over the home LAN: add  links: {home: {kind: lan, subnet: 192.168.1.0/24}},  give both
            # nodes an address on it (links: {home: 192.168.1.10}) and drop listen and api_key; the
            # Spark's firewall then admits the port from the workstation alone, ssh as it was.
            senior: true                        # never falls back: when it is down, callers get an error
            vllm: {gpu_memory_utilization: 0.80, max_model_len: 131072}

        backends:
          chat:                                 # CHANGE: the model LM Studio serves
            host: win-box
            slots: 3
            fallbacks: [senior]

        routes:
          lab/code: coder
          lab/chat: chat
          lab/reasoning: senior

        """

    private static let labBody = """
        version: 1

        stack:
          name: gpu-lab                         # CHANGE: names the output and the stack directory

        owners:
          alice:                                # CHANGE: an owner per party
            tailnet: alice-net
            master_key: {file: ~/.alice-litellm-key}
            salt_key: {file: ~/.alice-litellm-key}
            db_password: {file: ~/.alice-litellm-db.env}
          bob:
            tailnet: bob-net
            master_key: {file: ~/.bob-litellm-key}
            salt_key: {file: ~/.bob-litellm-key}
            db_password: {file: ~/.bob-litellm-db.env}

        tailnets:
          alice-net:
            tag: tag:alice-gpu                  # CHANGE
            users: [alice@example.com]          # CHANGE
            ssh: true
          bob-net:
            tag: tag:bob-gpu                    # CHANGE
            users: [bob@example.com]            # CHANGE
            ssh: true

        links:
          # CHANGE: the switch the nodes' fast ports are cabled to, and your LAN.
          # Each Spark's port is two PCIe halves: NCCL gets both devices, each half an address.
          fabric: {kind: fabric, interface: enp1s0f0np0, hca: [rocep1s0f0, roceP2p1s0f0], second_interface: enP2p1s0f0np0, subnet: 198.51.100.0/29, mtu: 9216}
          mgmt: {kind: lan, subnet: 192.0.2.0/24}

        nodes:
          gpu-a:                                # CHANGE: the host names and addresses
            owner: alice
            user: alice
            hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
            links: {mgmt: 192.0.2.31, fabric: {ip: 198.51.100.1, second_ip: 198.51.100.9}}
            apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.alice-open-webui.env}}}]
          gpu-b:
            owner: alice
            user: alice
            hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
            links: {mgmt: 192.0.2.32, fabric: {ip: 198.51.100.2, second_ip: 198.51.100.10}}
          gpu-c:
            owner: bob
            user: bob
            hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
            links: {mgmt: 192.0.2.33, fabric: {ip: 198.51.100.3, second_ip: 198.51.100.11}}
            apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.bob-open-webui.env}}}]

        models:
          qwen3.5-122b:                         # CHANGE: alice's model, across gpu-a and gpu-b
            source: Qwen/Qwen3.5-122B-A10B-GPTQ-Int4
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 68
            runtime:
              kind: vllm
              base_image: nvcr.io/nvidia/vllm:26.04-py3
              image: vllm-spark:26.04
              ray_token: {file: ~/.ray-cluster-token.env}
            cluster: {head: gpu-a, workers: [gpu-b], tensor_parallel: 2}
            vllm:
              gpu_memory_utilization: 0.80
              max_model_len: 65536
              tool_call_parser: qwen3_coder
          qwen3-30b:                            # CHANGE: bob's model on gpu-c
            source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 32
            runtime:
              kind: vllm
              base_image: nvcr.io/nvidia/vllm:26.04-py3
              image: vllm-spark:26.04
            cluster: {head: gpu-c, tensor_parallel: 1}
            port: 8002
            vllm:
              gpu_memory_utilization: 0.80
              max_model_len: 32768
              tool_call_parser: hermes

        """
}

extension StarterTopology {
    public enum WriteError: Error, CustomStringConvertible {
        case exists(String)
        case cannotWrite(String)

        public var description: String {
            switch self {
            case .exists(let path): return "\(path) exists; choose another file with -o, or pass --force to replace it"
            case .cannotWrite(let path): return "cannot write \(path)"
            }
        }
    }

    /// Writes the starter to `path`, refusing to replace a file unless `replacing`.
    public func write(to path: String, replacing: Bool) throws(WriteError) {
        if !replacing, FileSystem.kind(path) != .missing { throw .exists(path) }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw .cannotWrite(path)
        }
    }
}
