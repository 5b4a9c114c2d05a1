import SparkSpec

/// What NVIDIA's Speech NIM of a speech app is: its image, the profile it selects, its gRPC
/// port, and how clients are told of it.
public struct SpeechNIM: Sendable {
    public let image: String
    /// `NIM_TAGS_SELECTOR`: the model profile the container picks.
    public let tags: String
    public let grpcPort: Int
    /// Triton's ports inside the NIM (HTTP, gRPC, metrics; NVIDIA's Speech NIM runtime
    /// parameters). On the host network they are the node's ports too: two NIMs on one node, or a
    /// NIM beside a vLLM on 8000, claim the same port.
    public static let tritonPorts = [8000, 8001, 8002]
    /// What the service does, as spark-control's discovery document says it (`stt`, `tts`).
    public let kind: String
    /// The model it serves.
    public let model: String
    /// The uid the NIM runs as, who must own its cache.
    public static let containerUID = 1000
    public static let cacheInContainer = "/opt/nim/.cache"
    /// The cache on the node, one per service so two NIMs never share one's files.
    public static func cacheDirectory(_ app: App, home: String) -> String { "\(home)/.cache/nim/\(app.rawValue)" }

    /// The path that answers `{"ready":true}` once the model is loaded.
    public static let readinessPath = "/v1/health/ready"

    /// Only Parakeet 1.1B CTC English and 1.1B RNNT Multilingual run on DGX Spark (ASR NIM 1.8.0);
    /// Magpie TTS Multilingual since TTS NIM 1.10.0. The tags follow those releases.
    public static func of(_ app: App) -> SpeechNIM? {
        switch app {
        case .parakeet:
            return SpeechNIM(
                image: "nvcr.io/nim/nvidia/parakeet-1-1b-ctc-en-us:1.8.0", tags: "mode=all,vad=default,diarizer=disabled", grpcPort: 50051,
                kind: "stt", model: "nvidia/parakeet-1-1b-ctc-en-us")
        case .magpie:
            return SpeechNIM(
                image: "nvcr.io/nim/nvidia/magpie-tts-multilingual:1.10.0", tags: "name=magpie-tts-multilingual", grpcPort: 50051,
                kind: "tts", model: "nvidia/magpie-tts-multilingual")
        default:
            return nil
        }
    }
}
