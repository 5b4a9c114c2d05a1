import SparkDiagnostics
import SparkPlan
import SparkSpec

/// HY007: a model the lab fetches names what it fetches: a Hugging Face revision, an Ollama tag.
struct PinnedModelRule: Rule {
    let description = RuleDescription(
        id: "HY007",
        title: "a model names the revision of its repository",
        rationale: """
            Without a revision, 'hf download' and vLLM fetch the repository's default branch as it \
            is on the day (huggingface_hub, guides/download: a revision is a branch, a tag or a \
            commit, and the default branch is used without one): a node set up next month, or a cache cleared, serves other weights, \
            another chat template or another tokenizer than the node beside it, and nothing in the \
            topology or its diff says so. With 'revision', the runbook's 'hf download --revision' and \
            vLLM's --revision and --tokenizer-revision (docs.vllm.ai, Engine Arguments: the model \
            version to use, a branch name, a tag name or a commit id; accepted by every release in \
            facts/vllm/) read one snapshot, \
            and llama-server loads the file that download put on disk (its own '-hf user/model:quant' \
            download names no revision). A commit pins; a branch written on purpose ('revision: main') \
            is a choice the file shows. Ollama pulls by name and tag only: 'ollama pull' has no pull \
            by digest (ollama/ollama#6886, open), so an Ollama model names a tag other than latest, \
            which its registry may still move, and 'ollama list' shows the ID it pulled. A \
            speculative-decoding draft a vLLM model names by repository (speculative_config's \
            'model') is fetched the same way, at speculative_config's 'revision' (vLLM's \
            SpeculativeConfig, vllm/config/speculative.py): without one, the draft moves while the \
            model stays pinned, and a draft that no longer matches the model's tokenizer or head \
            fails at start or drafts nothing.
            """,
        severity: .warning,
        help:
            "add 'revision:' with the commit you reviewed (the last part of the snapshot path 'hf download' prints, …/snapshots/COMMIT), or 'revision: main' to follow the branch on purpose; for Ollama write a tag, such as 'qwen3-coder:30b'",
        triggering: [
            RuleExample(
                .oneSpark, replacing: "    source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8\n    revision: main\n",
                with: "    source: ↓Qwen/Qwen3-30B-A3B-Instruct-2507-FP8\n"),
            RuleExample(.amdBox, replacing: "    source: qwen3-coder:30b\n", with: "    source: ↓qwen3-coder\n"),
            RuleExample(.amdBox, replacing: "    source: qwen3-coder:30b\n", with: "    source: ↓qwen3-coder:latest\n"),
            RuleExample(
                .oneSpark, replacing: "      max_model_len: 32768\n",
                with: "      max_model_len: 32768\n      speculative_config: {model: ↓Qwen/Qwen3-0.6B, num_speculative_tokens: 4}\n"),
        ],
        nonTriggering: [
            .clean(.oneSpark),
            RuleExample(.oneSpark, replacing: "    revision: main\n", with: "    revision: 0123456789abcdef0123456789abcdef01234567\n"),
            RuleExample(
                .oneSpark, replacing: "      max_model_len: 32768\n",
                with: "      max_model_len: 32768\n      speculative_config: {model: Qwen/Qwen3-0.6B, revision: main, num_speculative_tokens: 4}\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.flatMap { model in [source(model)].compactMap { $0 } + drafts(model) }
    }

    /// The draft repositories a model loads beside its own, each at the revision its config gives.
    private func drafts(_ model: ClusterPlan) -> [RuleFinding] {
        model.weights.companions.filter { $0.revision == nil }.map { draft in
            RuleFinding(
                "model '\(model.name)' loads \(draft.role) \(draft.repository) with no revision: its default branch as it is on the day of each download",
                at: model.path / "vllm" / "speculative_config" / "model",
                help: "add 'revision:' to speculative_config with the commit you reviewed, or 'revision: main' to follow the branch on purpose")
        }
    }

    private func source(_ model: ClusterPlan) -> RuleFinding? {
        // A server that pulls by name itself (Ollama) pins by tag; the runtime says so.
        if case .serverPull = model.weights.fetch {
            let tag = model.source.split(separator: ":", omittingEmptySubsequences: false).dropFirst().first
            guard tag == nil || tag == "latest" else { return nil }
            return RuleFinding(
                "model '\(model.name)' pulls \(model.source) from Ollama's registry at \(tag == nil ? "its implicit tag latest" : "tag latest"), which moves with every upload",
                at: model.path / "source",
                help: "name a tag, such as '\(model.source.split(separator: ":").first ?? ""):30b'; Ollama has no pull by digest (ollama/ollama#6886)")
        }
        guard model.revision == nil else { return nil }
        return RuleFinding(
            "model '\(model.name)' fetches \(model.source) with no revision: its default branch as it is on the day of each download",
            at: model.path / "source")
    }
}
