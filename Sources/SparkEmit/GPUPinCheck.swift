import SparkPlan

/// verify.sh's check that a compose-run model got the NVIDIA cards the topology names. Indices
/// follow the order the driver enumerates the cards in, which a Thunderbolt eGPU can change
/// between boots (document 003's laptop); the container then runs on the other card with the
/// other card's memory, and nothing else notices. Inside the container, `nvidia-smi` (the NVIDIA
/// container toolkit mounts it with the 'utility' capability, which the CUDA images ask for)
/// lists the cards it was given: by UUID when the topology pins by UUID, else by memory size
/// against `hardware.gpu_memory_gb` of the pinned indices, which tells a 16 GB card from a
/// 96 GB one.
enum GPUPinCheck {
    /// The shell functions the checks call, once per script.
    static let functions = """
        # gpus_are CONTAINER UUID[,UUID…]: the container sees exactly these GPUs (sorted, comma-separated).
        gpus_are() { local seen; seen=$(docker exec "$1" nvidia-smi --query-gpu=uuid --format=csv,noheader) || return 1; [ "$(sort <<<"$seen" | paste -sd, -)" = "$2" ]; }
        # gpu_memory_is CONTAINER GB[,GB…]: each GPU the container sees has about this much memory (within 10%), in order.
        gpu_memory_is() {
          local seen; seen=$(docker exec "$1" nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits) || return 1
          awk -v want="$2" 'BEGIN { n = split(want, w, ",") } { i++; gib = $1 / 1024; if (i > n || gib < w[i] * 0.9 || gib > w[i] * 1.1) bad = 1 } END { exit (bad || i != n) }' <<<"$seen"
        }

        """

    /// Whether a model gets a check: a compose service given some NVIDIA GPUs.
    static func applies(_ cluster: ClusterPlan) -> Bool { expectation(cluster) != nil }

    /// What the check compares, and the command, for a model pinned to some of its node's NVIDIA GPUs.
    static func expectation(_ cluster: ClusterPlan) -> (what: String, command: String)? {
        guard cluster.head.hardware.gpuVendor == .nvidia, cluster.start == .auto, let service = cluster.serviceName,
            let ids = cluster.gpuIDs
        else { return nil }
        if let uuids = cluster.gpuUUIDs {
            return ("\(service) got GPU \(uuids.joined(separator: ", "))", "gpus_are \(service) \(uuids.sorted().joined(separator: ","))")
        }
        guard let memory = cluster.head.hardware.gpuMemoryGB, ids.allSatisfy({ memory.indices.contains($0) }) else { return nil }
        let sorted = ids.sorted()
        let sizes = sorted.map { memory[$0] }
        let cards = zip(sorted, sizes).map { "\($0.0) (\($0.1) GB)" }.joined(separator: ", ")
        return (
            "\(service) got GPU \(cards), not another card (an index moves when the order of the cards changes)",
            "gpu_memory_is \(service) \(sizes.map(String.init).joined(separator: ","))"
        )
    }
}
