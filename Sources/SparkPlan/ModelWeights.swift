/// How a compose-run model's weights reach its node, and how long its first start may take:
/// the runtime says it, the runbook renders it and never asks which runtime it is.
public struct ModelWeights: Sendable, Equatable {
    public enum Fetch: Sendable, Equatable {
        /// `hf download` before the server starts, as the user whose containers read the cache:
        /// a repository, a part of it (`files`), leaving out what the server never loads
        /// (`excluding`), into `directory` rather than the cache.
        case huggingFace(repository: String, files: Files?, excluding: [String] = [], directory: String?)
        /// The running server fetches them itself: the command runs in its container.
        case serverPull(command: [String])
    }

    /// Which files of a repository to fetch.
    public enum Files: Sendable, Equatable {
        case file(String)
        /// Every file a glob matches, such as every part of a split GGUF.
        case matching(String)
    }

    public let fetch: Fetch
    /// Seconds the runbook waits for a first start (a vLLM compiles kernels, a NIM optimises).
    public let startTimeout: Int
    /// The repository revision `hf download --revision` fetches (the model's `revision`), or nil
    /// for the default branch as it is on the day.
    public let revision: String?

    public init(fetch: Fetch, startTimeout: Int, revision: String? = nil) {
        self.fetch = fetch
        self.startTimeout = startTimeout
        self.revision = revision
    }
}
