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
    /// Other repositories the server loads beside the model, fetched the same way: a
    /// speculative-decoding draft (vLLM's `speculative_config.model`). The containers run with
    /// HF_HUB_OFFLINE=1 and the cache read-only, so what is not downloaded first is not found.
    public var companions: [Companion] = []

    /// A repository the server loads beside the model, at its own revision.
    public struct Companion: Sendable, Equatable {
        public let repository: String
        public let revision: String?
        /// What the runbook's comment calls it ("the speculative-decoding draft").
        public let role: String
    }

    public init(fetch: Fetch, startTimeout: Int, revision: String? = nil, companions: [Companion] = []) {
        self.fetch = fetch
        self.startTimeout = startTimeout
        self.revision = revision
        self.companions = companions
    }
}
