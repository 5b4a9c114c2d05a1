import SparkDiagnostics
import SparkPlan

/// HY006: a model runs Python code from its repository only when someone read it and said so.
struct RemoteCodeRule: Rule {
    let description = RuleDescription(
        id: "HY006",
        title: "a model that runs its repository's Python code is an accepted risk",
        rationale: """
            trust_remote_code makes vLLM import Python files from the model's Hugging Face \
            repository (a custom tokenizer, a model class) and run them in its container: as root, \
            with the node's GPUs, the Hugging Face cache and the host network. Whoever can push to \
            that repository, a third party's quantisation included, runs code on the node at its next \
            download. Some models need it (Kimi-Linear's tokenizer is tokenization_kimi.py, and vLLM's \
            own recipe passes the flag): read the files, then accept the risk with the reason.
            """,
        severity: .warning,
        help: "read the repository's .py files, then add an accept_risks entry for HY006 with the reason, or serve a model that needs no remote code",
        triggering: [
            RuleExample(
                .oneSpark,
                [
                    ("    revision: main\n", "    revision: 0123456789abcdef0123456789abcdef01234567\n"),
                    ("      max_model_len: 32768\n", "      max_model_len: 32768\n      trust_remote_code: ↓true\n"),
                ])
        ],
        nonTriggering: [
            .clean(.oneSpark),
            RuleExample(.oneSpark, replacing: "      max_model_len: 32768\n", with: "      max_model_len: 32768\n      trust_remote_code: false\n"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.compactMap { model -> RuleFinding? in
            guard model.vllm.trustRemoteCode else { return nil }
            return RuleFinding(
                "model '\(model.name)' runs Python code from \(model.source) in its vLLM container (trust_remote_code), as root with the node's GPUs",
                at: model.vllm.path / "trust_remote_code")
        }
    }
}
