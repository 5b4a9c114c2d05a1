import SparkDiagnostics
import SparkPlan
import SparkSpec

/// HY008: the repository code a model runs is the code someone read: a commit, never a branch.
struct PinnedRemoteCodeRule: Rule {
    let description = RuleDescription(
        id: "HY008",
        title: "a model that runs its repository's code names a commit",
        rationale: """
            trust_remote_code makes vLLM import Python files of the model's repository and run them \
            in its container, as root, with the node's GPUs and the Hugging Face cache (HY006). \
            Accepting HY006 says someone read those files; without a commit in 'revision' the files \
            that run are whatever the repository holds at the next download, so whoever can push to \
            it (a third party's quantisation included) changes the code that runs, unreviewed, and \
            the acceptance then covers code nobody read. A branch or a tag moves too (huggingface_hub \
            resolves both at download time). With a commit, the runbook's 'hf download --revision' and \
            vLLM's --revision, --tokenizer-revision and --code-revision (docs.vllm.ai, Engine Arguments; \
            --code-revision is the revision of the model code on the Hub, vllm-project/vllm#2892) all \
            read that commit. An error rather than a warning: unlike a moving weight file, a moving \
            code file is code execution on the node.
            """,
        help:
            "write 'revision:' with the 40-digit commit whose .py files you read (the last part of the snapshot path 'hf download' prints, …/snapshots/COMMIT)",
        triggering: [
            RuleExample(
                .oneSpark,
                [
                    ("    revision: main\n", "    revision: ↓main\n"),
                    (
                        "      max_model_len: 32768\n",
                        "      max_model_len: 32768\n      trust_remote_code: true\n\naccept_risks:\n  - {rule: HY006, reason: \"the model's code was read\"}\n"
                    ),
                ]),
            RuleExample(
                .oneSpark,
                [
                    ("    source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8\n    revision: main\n", "    source: Qwen/Qwen3-30B-A3B-Instruct-2507-FP8\n"),
                    (
                        "      max_model_len: 32768\n",
                        "      max_model_len: 32768\n      trust_remote_code: ↓true\n\naccept_risks:\n  - {rule: HY006, reason: \"the model's code was read\"}\n"
                    ),
                ]),
        ],
        nonTriggering: [
            .clean(.oneSpark),
            RuleExample(
                .oneSpark,
                [
                    ("    revision: main\n", "    revision: 0123456789abcdef0123456789abcdef01234567\n"),
                    (
                        "      max_model_len: 32768\n",
                        "      max_model_len: 32768\n      trust_remote_code: true\n\naccept_risks:\n  - {rule: HY006, reason: \"the model's code was read\"}\n"
                    ),
                ]),
        ])

    /// True for a full commit id: 40 lowercase hexadecimal digits. A short id is resolved like a
    /// name, and a branch or tag moves.
    static func isCommit(_ revision: String) -> Bool {
        revision.utf8.count == 40 && revision.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    func check(_ context: RuleContext) -> [RuleFinding] {
        context.plan.clusters.compactMap { model -> RuleFinding? in
            guard model.vllm.trustRemoteCode, !(model.revision.map(Self.isCommit) ?? false) else { return nil }
            guard let revision = model.revision else {
                return RuleFinding(
                    "model '\(model.name)' runs Python code from \(model.source) (trust_remote_code) with no revision: the code of its default branch at each download",
                    at: model.vllm.path / "trust_remote_code")
            }
            return RuleFinding(
                "model '\(model.name)' runs Python code from \(model.source) (trust_remote_code) at '\(revision)', which is not a commit and moves",
                at: model.path / "revision")
        }
    }
}
