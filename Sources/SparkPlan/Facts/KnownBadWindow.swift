import SparkSpec

/// A run of releases that starts and then fails quietly on some machines, with the releases
/// that bound it and the reports that show it.
public struct KnownBadWindow: Sendable {
    public let program: Program
    /// The GPU API of the affected images (llama.cpp's Vulkan images).
    public let api: String
    /// The GPUs it fails on.
    public let vendors: Set<Hardware.GPUVendor>
    /// The first bad release, nil when every earlier one is affected.
    public let from: ReleaseVersion?
    /// The first release known good after it.
    public let fixedIn: ReleaseVersion
    public let what: String
    public let source: String

    public static let all: [KnownBadWindow] = [
        KnownBadWindow(
            program: .llamaServer, api: "Vulkan", vendors: [.amd], from: nil, fixedIn: ReleaseVersion("b9426")!,
            what: "the image lacks the libglvnd libraries Mesa's Vulkan driver loads, so llama-server finds no Vulkan device "
                + "('ggml_vulkan: No devices found') and serves from the CPU",
            source: "ggml-org/llama.cpp#17761, fixed by #18664 (opened 2026-01-07; the build it first shipped in is not "
                + "recorded here, so the window ends at b9426, the first build a report shows finding the device: #23943)"),
        KnownBadWindow(
            program: .llamaServer, api: "Vulkan", vendors: [.amd], from: ReleaseVersion("b9592")!, fixedIn: ReleaseVersion("b9680")!,
            what: "the image's Vulkan backend finds no device again and llama-server serves from the CPU",
            source: "ggml-org/llama.cpp#24697 (first bad b9592, last good b9570), #24651, mostlygeek/llama-swap#864; the end is "
                + "b9680, whose release summary names a Vulkan Docker image fix (#24595), not yet confirmed by a report"),
    ]

    /// The windows an image falls in on a node with the vendor's GPUs, from the image's fact
    /// (`ClusterPlan.imageFact`, read once per cluster; `ImageFacts.fact(of:)` for a name).
    public static func windows(for fact: ImageFact?, vendor: Hardware.GPUVendor) -> [KnownBadWindow] {
        guard let fact, let version = fact.version, let api = fact.gpu?.api else { return [] }
        return all.filter { window in
            window.program == fact.program && window.api == api && window.vendors.contains(vendor)
                && window.from.map { version >= $0 } ?? true && version < window.fixedIn
        }
    }
}
