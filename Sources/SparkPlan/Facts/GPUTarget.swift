/// What a GPU's code is compiled for: a CUDA compute capability (DGX Spark's GB10 is 12.1) or a
/// ROCm LLVM target (Strix Halo's Radeon 8060S is gfx1151).
public enum GPUTarget: Sendable, Hashable, CustomStringConvertible {
    case cuda(major: Int, minor: Int)
    case rocm(String)

    public var description: String {
        switch self {
        case .cuda(let major, let minor): return "CUDA compute capability \(major).\(minor)"
        case .rocm(let target): return target
        }
    }
}
