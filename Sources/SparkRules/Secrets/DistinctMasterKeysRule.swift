import SparkDiagnostics
import SparkSpec

/// SC001: every owner has a master key of their own.
struct DistinctMasterKeysRule: Rule {
    let description = RuleDescription(
        id: "SC001",
        title: "each owner has their own LiteLLM master key",
        rationale: """
            The master key is what separates one owner's LiteLLM from the other's: with a shared key, \
            either owner can call, read the logs of and mint virtual keys on the other's proxy, and a \
            leak on one node opens both. Two owners naming the same key file, or recording the same \
            sha256 fingerprint, share a key.
            """,
        help: "give each owner a key file of their own (e.g. ~/.<owner>-litellm-key) with a freshly generated key",
        triggering: [
            RuleExample(
                replacing: "master_key: {file: ~/.sparky02-litellm-key}", with: "master_key: ↓{file: ~/.sparky01-litellm-key}"),
            RuleExample([
                ("master_key: {file: ~/.sparky01-litellm-key}",
                 "master_key: {file: ~/.sparky01-litellm-key, sha256: 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988}"),
                ("master_key: {file: ~/.sparky02-litellm-key}",
                 "master_key: {file: ~/.sparky02-litellm-key, sha256: ↓1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988}"),
            ]),
            RuleExample(
                replacing: "master_key: {file: ~/.sparky02-litellm-key}", with: "master_key: ↓{file: /home/cameron/.sparky01-litellm-key}"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let owners = context.topology.owners
        for (index, owner) in owners.enumerated() {
            for earlier in owners[..<index] {
                let mine = owner.masterKey, theirs = earlier.masterKey
                if context.sameSecret(mine, of: owner.name, theirs, of: earlier.name) {
                    findings.append(RuleFinding(
                        "owners '\(earlier.name)' and '\(owner.name)' share the master key reference \(mine.file) (\(mine.variable))",
                        at: mine.path))
                } else if let fingerprint = mine.sha256, fingerprint == theirs.sha256 {
                    findings.append(RuleFinding(
                        "owners '\(earlier.name)' and '\(owner.name)' have the same master key (equal sha256 fingerprints)",
                        at: mine.path / "sha256"))
                }
            }
        }
        return findings
    }
}
