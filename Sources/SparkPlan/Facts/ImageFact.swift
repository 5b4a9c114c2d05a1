import SparkSpec

/// What one image holds and runs on, as its publisher's release pipeline or notes say; every
/// field that is known comes with the source it was read from.
public struct ImageFact: Sendable {
    /// The program the image runs, and its version when the tag says it (NGC's `26.04-py3` is
    /// the container's release, not vLLM's).
    public let program: Program
    public let version: ReleaseVersion?
    /// The CPU architectures the image is built for, as registries name them; nil when not known.
    public let architectures: Set<String>?
    /// The GPUs the image drives: the vendor, the API it reaches them through, and the targets it
    /// is known to lack.
    public let gpu: GPU?
    /// Optional Python extras built in (`fastsafetensors`); nil when nothing says either way.
    public let extras: Set<String>?
    /// Where the facts come from: repository@tag:path, a release note, a registry listing.
    public let source: String

    public struct GPU: Sendable {
        public let vendor: Hardware.GPUVendor?
        /// CUDA, ROCm or Vulkan.
        public let api: String
        /// Targets the image's kernels leave out, with the source that says so.
        public let lacking: [GPUTarget: String]

        public init(vendor: Hardware.GPUVendor?, api: String, lacking: [GPUTarget: String] = [:]) {
            self.vendor = vendor
            self.api = api
            self.lacking = lacking
        }
    }

    public init(
        program: Program, version: ReleaseVersion?, architectures: Set<String>?, gpu: GPU?, extras: Set<String>? = nil, source: String
    ) {
        self.program = program
        self.version = version
        self.architectures = architectures
        self.gpu = gpu
        self.extras = extras
        self.source = source
    }

    /// True when the image is known to lack the extra.
    public func lacks(extra: String) -> Bool { extras.map { !$0.contains(extra) } ?? false }
}
