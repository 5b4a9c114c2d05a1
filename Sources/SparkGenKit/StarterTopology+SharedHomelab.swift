import FoundationEssentials

extension StarterTopology {
    /// `spark-gen init shared-homelab`: the lab a newcomer brought to spark-gen (issue 24), two
    /// owners under one roof on one home LAN. The Spark's model is served over that LAN to the
    /// workstation's gateway alone; the housemate's box runs its own gateway and model.
    static let sharedHomelabBody = """
        version: 1

        stack:
          name: shared-homelab                  # CHANGE: names the output and the stack directory

        # Two owners under one roof, on one home LAN: you, with a workstation (your gateway and a
        # small model) and a DGX Spark (gpt-oss-120b), and a housemate with a 3090 box and a
        # gateway of their own. Each owner has their own tailnet, LiteLLM and keys; neither
        # reaches the other's models or apps ('spark-gen trust topology.yaml' shows it).
        # Your housemate uses your Spark's model through your gateway, never the Spark itself:
        # 'offers' mints a LiteLLM key limited to gpt-oss-120b on your workstation, hands it to
        # the 3090 box, and gives their gateway a route with that key (docs/offers.md).
        owners:
          me:                                   # CHANGE: your name
            tailnet: me-net
            master_key: {file: ~/.me-litellm-key}
            salt_key: {file: ~/.me-litellm-key}
            db_password: {file: ~/.me-litellm-db}   # the database that keeps minted keys
            offers:
              - to: housemate                   # CHANGE: with your housemate's name
                models: [gpt-oss-120b]          # what they may call, and nothing else
                via: lan                        # your gateway admits their box from the LAN alone
                key: {file: ~/.me-offer-key}    # minted on the workstation, copied to their box
          housemate:                            # CHANGE: your housemate's name
            tailnet: housemate-net
            master_key: {file: ~/.housemate-litellm-key}
            salt_key: {file: ~/.housemate-litellm-key}

        tailnets:
          me-net:
            tag: tag:me-lab                     # CHANGE: the tag your machines advertise
            users: [me@example.com]             # CHANGE: who reaches your gateway
            ssh: true
          housemate-net:
            tag: tag:housemate-lab              # CHANGE
            users: [housemate@example.com]      # CHANGE
            ssh: true

        links:
          # The home LAN: ssh, and the Spark's model, which the workstation's gateway calls on the
          # Spark's LAN address. The Spark's firewall admits that port from the workstation alone;
          # the LAN's MTU and ssh stay as they are.
          home: {kind: lan, subnet: 192.168.1.0/24}   # CHANGE: your LAN

        hosts:
          mac:                                  # CHANGE: the Mac running LM Studio, a device of your tailnet
            # spark-gen does not deploy to it; its runbook (out/<name>/hosts/mac/) says how to serve.
            tailnet: me-net
            tag: tag:lmstudio                   # CHANGE: the tag it advertises

        nodes:
          workstation:                          # CHANGE: host names, users and addresses
            owner: me
            user: me
            hardware: {kind: workstation, arch: amd64, gpu: nvidia, memory_gb: 64, gpu_memory_gb: [24]}   # an RTX 4090
            links: {home: 192.168.1.10}
            apps: [{litellm: {runner: compose, port: 4000}}, litellm-db]   # your gateway and its key database
          spark:
            owner: me
            user: me
            hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}
            links: {home: 192.168.1.20}
          box-3090:
            owner: housemate
            user: housemate
            hardware: {kind: workstation, arch: amd64, gpu: nvidia, memory_gb: 64, gpu_memory_gb: [24]}   # an RTX 3090
            links: {home: 192.168.1.30}
            apps: [{litellm: {runner: compose, port: 4000}}]   # your housemate's gateway, on their tailnet

        models:
          gpt-oss-120b:                         # CHANGE: on the Spark, called by your gateway over the LAN
            source: openai/gpt-oss-120b
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 61
            runtime: {kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}
            node: spark
            fallbacks: [mac-chat]               # down or busy: LM Studio on the Mac answers
            vllm: {gpu_memory_utilization: 0.80, max_model_len: 65536, max_num_seqs: 4, tool_call_parser: openai}
          coder:                                # CHANGE: your model on the 4090
            source: Qwen/Qwen3-8B-FP8
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 9
            runtime: {kind: vllm, runner: compose, base_image: vllm/vllm-openai:v0.11.2}
            node: workstation
            fallbacks: [gpt-oss-120b]           # down or at its cap (max_num_seqs): the Spark answers
            vllm: {gpu_memory_utilization: 0.90, max_model_len: 32768, max_num_seqs: 4, tool_call_parser: hermes}
          housemate-chat:                       # CHANGE: your housemate's model on the 3090
            source: Qwen/Qwen3-8B-FP8
            revision: main                      # CHANGE: the commit you reviewed pins it (HY007)
            weights_gb: 9
            runtime: {kind: vllm, runner: compose, base_image: vllm/vllm-openai:v0.11.2}
            node: box-3090
            vllm: {gpu_memory_utilization: 0.90, max_model_len: 32768, tool_call_parser: hermes}

        backends:
          mac-chat:                             # CHANGE: the model LM Studio serves
            host: mac
            slots: 2

        """
}
