import SparkPlan

/// The runbook line that fetches a model's weights from Hugging Face, for every step that
/// downloads (a compose service, a scripted vLLM, a catalog's members).
enum WeightsDownload {
    /// `hf download …` with its note, or nil when the running server fetches the weights itself.
    static func line(_ weights: ModelWeights, on node: NodePlan) -> String? {
        guard case .huggingFace(let repository, let files, let excluding, let directory) = weights.fetch else { return nil }
        var line = "\(node.home)/.local/bin/hf download \(repository)"
        switch files {
        case .file(let file): line += " \(file)"
        case .matching(let glob): line += " --include '\(glob)'"
        case nil: break
        }
        // One pattern per flag: hf 1.x takes a second word after --exclude as a file to fetch.
        for pattern in excluding { line += " --exclude '\(pattern)'" }
        // The revision the server is told too (vLLM's --revision), so both read one snapshot;
        // llama-server loads the file this puts in the directory.
        if let revision = weights.revision { line += " --revision \(revision)" }
        if let directory { line += " --local-dir \(directory)" }
        return line + note(user: node.user)
    }

    /// The comment after every `hf download`: the cache must belong to the user whose containers read it.
    static func note(user: String) -> String { "   # as \(user), not root; a gated model needs 'hf auth login' first" }
}
