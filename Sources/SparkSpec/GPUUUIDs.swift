import SparkDiagnostics

/// `models.NAME.gpu_uuids`: the cards of `gpu_ids` by NVIDIA UUID, for a node whose GPU order
/// can change (a Thunderbolt eGPU that enumerates before or after the internal card). The NVIDIA
/// container toolkit takes UUIDs wherever it takes indices (NVIDIA_VISIBLE_DEVICES and Docker's
/// device request, `device_ids` in compose: docs.nvidia.com/datacenter/cloud-native/
/// container-toolkit/latest/docker-specialized.html, "a comma-separated list of GPU UUID(s) or
/// index(es)"). The indices stay, one per UUID in the same order: the memory rules count the
/// cards by index (`hardware.gpu_memory_gb`), and verify.sh checks that each container got the
/// card the topology names.
enum GPUUUIDs {
    static let key = "gpu_uuids"

    /// Read only where `gpu_ids` is (a compose-run model), and only beside it.
    static func read(_ map: MappingReader, ids: [Int]?, compose: Bool, context: DecodingContext) -> [String]? {
        guard compose, let node = map.value(key), let uuids = map.strings(key, grammar: .gpuUUID) else { return nil }
        // A malformed UUID has its own error already; counting the rest would only add a second.
        guard uuids.count == node.sequence?.count else { return nil }
        guard let ids, ids.count == uuids.count else {
            context.error(
                .specInconsistentCounts, "'\(key)' names \(uuids.count) GPU(s), but 'gpu_ids' \(ids.map { "names \($0.count)" } ?? "is missing")",
                at: node.location, path: map.path / key,
                help:
                    "give 'gpu_ids' too, one index per UUID in the same order (nvidia-smi --query-gpu=index,uuid --format=csv): the memory checks count the cards by index"
            )
            return nil
        }
        return uuids
    }
}
