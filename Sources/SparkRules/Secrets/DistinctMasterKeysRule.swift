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
            RuleExample(.twoOwners, replacing: "master_key: {file: ~/.client-litellm.env}", with: "master_key: ↓{file: ~/.you-litellm.env}"),
            RuleExample(
                .twoOwners,
                [
                    (
                        "master_key: {file: ~/.you-litellm.env}",
                        "master_key: {file: ~/.you-litellm.env, sha256: 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988}"
                    ),
                    (
                        "master_key: {file: ~/.client-litellm.env}",
                        "master_key: {file: ~/.client-litellm.env, sha256: ↓1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988}"
                    ),
                ]),
            RuleExample(.twoOwners, replacing: "master_key: {file: ~/.client-litellm.env}", with: "master_key: ↓{file: /home/you/.you-litellm.env}"),
        ])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        let homes = context.homesByOwner()
        // One pass with indexes instead of comparing every pair of owners: fleets have thousands.
        var byLocation: [String: String] = [:]
        var byFingerprint: [String: String] = [:]
        for owner in context.plan.owners {
            guard let key = owner.masterKey else { continue }
            // The reference as written, and the files it names on the owner's nodes.
            let locations = ["as written \(key.file)"] + homes[owner.name, default: []].sorted().map { "at \(key.file.absolute(home: $0))" }
            if let earlier = locations.lazy.compactMap({ byLocation["\(key.variable) \($0)"] }).first {
                findings.append(
                    RuleFinding(
                        "owners '\(earlier)' and '\(owner.name)' share the master key reference \(key.file) (\(key.variable))", at: key.path))
            } else if let fingerprint = key.sha256, let earlier = byFingerprint[fingerprint] {
                findings.append(
                    RuleFinding(
                        "owners '\(earlier)' and '\(owner.name)' have the same master key (equal sha256 fingerprints)", at: key.path / "sha256"))
            }
            for location in locations where byLocation["\(key.variable) \(location)"] == nil {
                byLocation["\(key.variable) \(location)"] = owner.name
            }
            if let fingerprint = key.sha256, byFingerprint[fingerprint] == nil { byFingerprint[fingerprint] = owner.name }
        }
        return findings
    }
}
