/// Which vLLM release an image carries, for images whose tag does not say (NVIDIA's NGC
/// containers are tagged by their own YY.MM release). The entries are generated from
/// facts/vllm/images.json, which proof/vllm_check.py reads too, so the compiler and the proof
/// cannot disagree about an image.
public enum VLLMImageReleases {
    /// The release `image` carries and the evidence for it, when the table names the image.
    public static func release(of image: String) -> (version: String, evidence: String)? {
        named.first { $0.image == image }.map { ($0.version, $0.evidence) }
    }
}
