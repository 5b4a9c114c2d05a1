/// The GPU of the machines spark-gen knows by `hardware.kind`, so a rule can ask whether an
/// image's kernels cover it. A kind not listed here is checked for architecture and vendor only.
public struct MachineFacts: Sendable {
    public let kind: String
    public let gpuTarget: GPUTarget
    public let source: String
    /// RDMA devices behind one network port, when the machine splits a port into several
    /// PCIe halves; nil for a machine without such ports.
    public var rdmaDevicesPerPort: (count: Int, source: String)? = nil

    public static let all: [MachineFacts] = [
        MachineFacts(
            kind: "dgx-spark", gpuTarget: .cuda(major: 12, minor: 1),
            source: "NVIDIA, CUDA GPU compute capability list (GB10, DGX Spark: 12.1)",
            rdmaDevicesPerPort: (
                2,
                "NVIDIA/dgx-spark-playbooks@0db7c14 nvidia/connect-two-sparks/README.md ('each physical port has two "
                    + "logical interfaces': enp1s0f1np1 and enP2p1s0f1np1, rocep1s0f1 and roceP2p1s0f1, each given an address) and "
                    + "nvidia/multi-sparks-through-switch (NCCL_IB_HCA=rocep1s0f0,rocep1s0f1,roceP2p1s0f0,roceP2p1s0f1)"
            )),
        MachineFacts(
            kind: "framework-desktop", gpuTarget: .rocm("gfx1151"),
            source: "Framework Desktop: AMD Ryzen AI Max 385 / Max+ 395 (Strix Halo); AMD ROCm docs, GPU architecture specs "
                + "(Radeon 8050S/8060S: gfx1151)"),
    ]

    public static func fact(kind: String) -> MachineFacts? { all.first { $0.kind == kind } }
}
