import SparkSpec

/// The registered model runtimes.
enum ModelRuntimes {
    static let all: [Runtime.Kind: any ModelRuntime] = Dictionary(
        uniqueKeysWithValues: ([VLLMRuntime(), OllamaRuntime(), LlamaCppRuntime()] as [any ModelRuntime]).map { ($0.kind, $0) })

    static func runtime(_ kind: Runtime.Kind) -> any ModelRuntime { all[kind]! }
}
