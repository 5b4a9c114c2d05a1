/// How every vLLM container spark-gen writes is confined: the launch scripts of Ray clusters and
/// single-node models, and the compose services, use these same flags and mounts.
///
/// The containers run as root on the host network. A Ray cluster's members (another owner's, in
/// split-trust) can schedule code in them, so what that root may do is kept to what NCCL, Ray
/// and vLLM need, each checked against its source:
///
/// - Capabilities: all dropped (`--cap-drop ALL`). NCCL calls none of mbind, set_mempolicy,
///   setpriority, sched_setscheduler or pidfd_getfd (NVIDIA/nccl@5067397, `git grep` over src/),
///   so it needs no CAP_SYS_NICE or CAP_SYS_PTRACE. Its RDMA transport registers memory with
///   ibv_reg_mr (src/transport/net_ib/connect.cc), which pins pages: the kernel allows that up to
///   RLIMIT_MEMLOCK or with CAP_IPC_LOCK (Red Hat, "Configuring InfiniBand and RDMA networks",
///   ch. 5: memory pinning is privileged). A RoCE member keeps `IPC_LOCK` with
///   `/dev/infiniband` as well as `--ulimit memlock=-1`, as NCCL's troubleshooting guide
///   ("Sharing Data": NCCL needs pinned, page-locked memory) asks.
/// - `no-new-privileges`: nothing in the containers runs a setuid program (the entrypoints run
///   `ray start` and `vllm serve` as root already), so a planted one gains nothing.
/// - The Hugging Face hub cache read-only, and only the hub: `hf download` fills it beforehand
///   as the node's user, outside any container (WeightsDownload), and the rest of
///   `~/.cache/huggingface` (the login token among it) stays out of the container. With
///   `HF_HUB_OFFLINE=1` huggingface_hub makes no HTTP call and, finding a file in the cache,
///   returns it after reading `refs/` (huggingface/huggingface_hub@ee0a4510,
///   src/huggingface_hub/file_download.py, the `head_call_error` branch) without writing: online,
///   it rewrites `refs/<revision>` when the branch moved (`_cache_commit_hash_for_specific_revision`,
///   issue huggingface/huggingface_hub#1216) and takes locks under `.locks/`. vLLM's own download
///   lock lives in the temp directory, not the cache (vllm-project/vllm,
///   vllm/model_executor/model_loader/weight_utils.py `get_lock`: `cache_dir or
///   tempfile.gettempdir()`), and it passes `local_files_only=HF_HUB_OFFLINE` to snapshot_download.
/// - The compile cache per container, in a Docker volume of its own: vLLM keeps torch.compile
///   artifacts in `$VLLM_CACHE_ROOT/torch_compile_cache` (default `~/.cache/vllm`, vllm/envs.py),
///   which the next start loads. A volume is created owned by root, so the container's root
///   writes it without CAP_DAC_OVERRIDE, and no two models or owners share one. Triton's and
///   Inductor's own caches (`TRITON_CACHE_DIR`, `~/.triton/cache`; `TORCHINDUCTOR_CACHE_DIR`,
///   `/tmp/torchinductor_root`) stay in the container's own layer, which `docker rm` discards.
public enum VLLMContainer {
    /// Added back after dropping all: pinning memory for RDMA registration, and binding an API
    /// port below 1024 (the host network's `ip_unprivileged_port_start`, 1024 by default).
    public static func capabilities(rdma: Bool, port: Int) -> [String] {
        (rdma ? ["IPC_LOCK"] : []) + (port < 1024 ? ["NET_BIND_SERVICE"] : [])
    }

    /// The hub cache as `hf download` fills it (`$HF_HOME/hub`, `~/.cache/huggingface/hub`:
    /// huggingface_hub docs, environment variables, HF_HUB_CACHE).
    public static func hubCache(home: String) -> String { "\(home)/.cache/huggingface/hub" }
    public static let hubCacheInContainer = "/root/.cache/huggingface/hub"

    /// The mount of the hub cache, read-only.
    public static func hubCacheMount(home: String) -> Mount { .bind(hubCache(home: home), at: hubCacheInContainer, readOnly: true) }

    /// The Docker volume that keeps one model's compile cache on one node.
    public static func compileCacheVolume(_ model: String) -> String { "vllm-compile-cache-\(model)" }
    public static let compileCacheInContainer = "/root/.cache/vllm/torch_compile_cache"

    /// The environment every vLLM container gets: no Hub access at serve time, so nothing tries to
    /// write the read-only cache; the weights are downloaded before the start.
    public static let environment: [(name: String, value: String)] = [("HF_HUB_OFFLINE", "1")]

    /// `/dev/shm` of a Ray member, which has its own IPC namespace instead of the host's: Ray
    /// caps its object store at 95% of /dev/shm, but never below 10 GB
    /// (ray-project/ray, python/ray/_private/utils.py resolve_object_store_memory,
    /// ray_constants.REQUIRE_SHM_SIZE_THRESHOLD), and keeps it in /dev/shm only when it fits
    /// (services.py determine_plasma_store_config); 16 GB is what NVIDIA's DGX Spark playbooks
    /// give a served model (nim-llm, nemotron: `--shm-size=16g`).
    public static let rayShmSize = "16g"
}
