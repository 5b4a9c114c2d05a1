import SparkPlan

/// The runbook line that fetches a model's weights from Hugging Face, for every step that
/// downloads (a compose service, a scripted vLLM, a catalog's members).
enum WeightsDownload {
    /// `hf download …` with its note, or nil when the running server fetches the weights itself.
    /// A companion repository (a draft model) gets a line of its own after the model's.
    static func line(_ weights: ModelWeights, on node: NodePlan) -> String? {
        guard let arguments = arguments(weights) else { return nil }
        // Patterns in single quotes, so the shell hands the glob to hf.
        var previous = ""
        let words = arguments.map { word -> String in
            defer { previous = word }
            return previous == "--include" || previous == "--exclude" ? "'\(word)'" : word
        }
        var lines = [([executable(on: node)] + words).joined(separator: " ") + note(user: node.user)]
        for companion in weights.companions {
            lines.append(([executable(on: node)] + Self.arguments(companion)).joined(separator: " ") + "   # \(companion.role), into the same cache")
        }
        return lines.joined(separator: "\n")
    }

    /// Every `hf` command line the weights take, the model's first, as words after the executable.
    static func allArguments(_ weights: ModelWeights) -> [[String]] {
        guard let main = arguments(weights) else { return [] }
        return [main] + weights.companions.map(arguments)
    }

    /// The arguments after `hf` for a companion repository: all of it, at its revision.
    static func arguments(_ companion: ModelWeights.Companion) -> [String] {
        ["download", companion.repository] + (companion.revision.map { ["--revision", $0] } ?? [])
    }

    /// The arguments after `hf`, one word each, or nil when the running server fetches the weights itself.
    static func arguments(_ weights: ModelWeights) -> [String]? {
        guard case .huggingFace(let repository, let files, let excluding, let directory) = weights.fetch else { return nil }
        var arguments = ["download", repository]
        switch files {
        case .file(let file): arguments.append(file)
        case .matching(let glob): arguments += ["--include", glob]
        case nil: break
        }
        // One pattern per flag: hf 1.x takes a second word after --exclude as a file to fetch.
        for pattern in excluding { arguments += ["--exclude", pattern] }
        // The revision the server is told too (vLLM's --revision), so both read one snapshot;
        // llama-server loads the file this puts in the directory.
        if let revision = weights.revision { arguments += ["--revision", revision] }
        if let directory { arguments += ["--local-dir", directory] }
        return arguments
    }

    /// Where `pip3 install --user` (the runbook's Prerequisites) puts the Hugging Face CLI.
    static func executable(on node: NodePlan) -> String { "\(node.home)/.local/bin/hf" }

    /// The comment after every `hf download`: the cache must belong to the user whose containers read it.
    static func note(user: String) -> String { "   # as \(user), not root; a gated model needs 'hf auth login' first" }
}
